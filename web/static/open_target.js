// A link to a folded part of the page (<a href="#all-sources"> to a closed <details>) opens
// it: on arrival with the fragment, when the fragment changes, and when the link is followed
// while the fragment is already that one (no hashchange then). Without JavaScript the link
// still jumps to the fold's summary, which opens it with one more click.
(function () {
  "use strict";
  function open(id) {
    var el = id && document.getElementById(id);
    if (!el) { return; }
    for (var d = el; d; d = d.parentElement) {
      if (d.tagName === "DETAILS" && !d.open) { d.open = true; }
    }
  }
  function fromHash() { open(decodeURIComponent(window.location.hash.slice(1))); }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href^='#']");
    if (a) { open(decodeURIComponent(a.getAttribute("href").slice(1))); }
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
}());
