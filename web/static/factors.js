// The factor page's search (web/templates/factors/set.html): keep the rows whose text holds
// every word typed, hide the topics left empty, and say how many factors match.
(function () {
  "use strict";
  function ready() {
    var input = document.getElementById("factor-filter");
    if (!input) { return; }
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-search]"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("section.factor-group"));
    var status = document.querySelector(".factor-count");
    var template = input.getAttribute("data-count") || "{n}";
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute("data-search");
        var ok = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      groups.forEach(function (g) {
        var any = g.querySelector("tr[data-search]:not([hidden])");
        var box = g.querySelector("details.group-details");
        g.hidden = words.length > 0 && !any && !!g.querySelector("tr[data-search]");
        if (box && words.length > 0 && any) { box.open = true; }
      });
      if (status) {
        status.hidden = words.length === 0;
        status.textContent = template.replace("{n}", String(shown));
      }
    }
    function openTarget() {
      // a link to #f-<factor> or #g-<topic> opens the topic it lies in
      var id = decodeURIComponent(window.location.hash.slice(1));
      var el = id ? document.getElementById(id) : null;
      var box = el ? (el.querySelector("details.group-details") || el.closest("details")) : null;
      if (box) { box.open = true; el.scrollIntoView(); }
    }
    window.addEventListener("hashchange", openTarget);
    openTarget();
    input.addEventListener("input", apply);
    if (input.value) { apply(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
