// Follows an Excel import's progress on its job page (web/templates/imports/job.html).
// Without JavaScript the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("import-bar");
  var step = document.getElementById("import-step");
  var percent = document.getElementById("import-percent");
  var delay = 700;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return schedule(4000); }
        bar.value = s.progress;
        bar.textContent = s.progress + " %";
        step.textContent = s.step_label;
        percent.textContent = String(s.progress);
        if (s.finished) { window.location.reload(); return; }
        schedule(delay);
      })
      .catch(function () { schedule(4000); });
  }
  function schedule(ms) {
    delay = Math.min(delay * 1.2, 3000);
    window.setTimeout(poll, ms);
  }
  schedule(delay);
}());
