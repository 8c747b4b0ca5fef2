// The investment plan's ranges are made by a background job (web/services/municipal_ranges.py).
// While they are being made the page says so; this asks whether they are ready and then
// puts them in from a fresh copy of the page (the ranges' section and the probability note),
// without reloading what the reader looks at. Without JavaScript: a reload shows them.
(function () {
  "use strict";
  var box = document.getElementById("plan-ranges");
  if (!box || !box.hasAttribute("data-ready-url")) { return; }
  var url = box.getAttribute("data-ready-url");
  var delay = 1000;
  var tries = 0;

  function fill() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return schedule(4000); }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("plan-ranges");
        if (!fresh || fresh.hasAttribute("data-ready-url")) { return schedule(delay); }
        ["plan-probability", "plan-ranges"].forEach(function (id) {
          var old = document.getElementById(id);
          var now = doc.getElementById(id);
          if (old && now) { old.replaceWith(document.importNode(now, true)); }
          else if (old) { old.remove(); }
        });
      })
      .catch(function () { schedule(4000); });
  }
  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s && s.ready) { fill(); return; }
        schedule(s ? delay : 4000);
      })
      .catch(function () { schedule(4000); });
  }
  function schedule(ms) {
    if (tries > 600) { return; }  // about half an hour: a reload asks again
    delay = Math.min(delay * 1.2, 3000);
    window.setTimeout(poll, ms);
  }
  schedule(delay);
}());
