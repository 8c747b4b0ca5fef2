// The factor page (web/templates/factors/set.html): the search keeps the rows whose text
// holds every word typed, hides the topics left empty and says how many factors match;
// "Detaljer" on each row shows the factor's id, the place in the source and the research
// notes, loaded per topic when first asked for (views/factor_pages.py: notes_data).
(function () {
  "use strict";
  function ready() {
    var input = document.getElementById("factor-filter");
    if (!input) { return; }
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[id^='f-']"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("section.factor-group"));
    var status = document.querySelector(".factor-count");
    var template = input.getAttribute("data-count") || "{n}";
    var detailsText = input.getAttribute("data-details") || "Details";
    var failedText = input.getAttribute("data-failed") || "";
    var texts = null;

    function searchTexts() {
      // a row's words: its cells, its id, the heading of its kind and its topic
      return rows.map(function (row) {
        var body = row.parentNode;
        var kind = body.querySelector("tr.factor-kind");
        var section = row.closest("section.factor-group");
        var topic = section ? section.querySelector("summary h2") : null;
        return [row.textContent, row.id.slice(2), kind ? kind.textContent : "",
          topic ? topic.textContent : ""].join(" ").toLowerCase();
      });
    }

    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      if (texts === null) { texts = searchTexts(); }
      var shown = 0;
      rows.forEach(function (row, i) {
        var ok = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        row.hidden = !ok;
        var notes = document.getElementById("n-" + row.id.slice(2));
        if (notes) { notes.hidden = !ok || !notes.classList.contains("open"); }
        if (ok) { shown += 1; }
      });
      Array.prototype.forEach.call(document.querySelectorAll("tr.factor-kind"), function (kind) {
        kind.hidden = !kind.parentNode.querySelector("tr[id^='f-']:not([hidden])");
      });
      groups.forEach(function (g) {
        var any = g.querySelector("tr[id^='f-']:not([hidden])");
        var box = g.querySelector("details.group-details");
        g.hidden = words.length > 0 && !any && !!g.querySelector("tr[id^='f-']");
        if (box && words.length > 0 && any) { box.open = true; }
      });
      if (status) {
        status.hidden = words.length === 0;
        status.textContent = template.replace("{n}", String(shown));
      }
    }

    // ------------------------------------------------------------------ Detaljer
    var loading = {};
    function notesOf(section) {
      var url = section.getAttribute("data-notes");
      if (!loading[url]) {
        loading[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) { throw new Error(String(r.status)); }
          return r.json();
        });
        loading[url].catch(function () { delete loading[url]; });
      }
      return loading[url];
    }
    function line(cls, text, lang) {
      var span = document.createElement("span");
      span.className = cls;
      if (lang) { span.lang = lang; }
      span.textContent = text;
      return span;
    }
    function toggle(button) {
      var row = button.closest("tr");
      var fid = row.id.slice(2);
      var open = button.getAttribute("aria-expanded") !== "true";
      var notes = document.getElementById("n-" + fid);
      if (!notes) {
        notes = document.createElement("tr");
        notes.id = "n-" + fid;
        notes.className = "factor-notes-row";
        var cell = document.createElement("td");
        cell.colSpan = 4;
        notes.appendChild(cell);
        row.parentNode.insertBefore(notes, row.nextSibling);
        button.setAttribute("aria-controls", notes.id);
        notesOf(row.closest("section.factor-group")).then(function (data) {
          var n = data.rows[fid] || {};
          cell.appendChild(line("factor-id", n.id || fid));
          if (n.locator) { cell.appendChild(line("factor-locator", n.locator)); }
          if (n.notes) { cell.appendChild(line("factor-notes", n.notes, "en")); }
        }, function () {
          cell.appendChild(line("factor-notes", failedText));
        });
      }
      notes.classList.toggle("open", open);
      notes.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function addButtons(section) {
      // the buttons of a topic, made when it is first opened (the page is sent without them)
      if (section.getAttribute("data-buttons")) { return; }
      section.setAttribute("data-buttons", "1");
      Array.prototype.forEach.call(section.querySelectorAll("tr[id^='f-'] > td:first-child"),
        function (cell) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "factor-details-button";
          b.textContent = detailsText;
          b.setAttribute("aria-expanded", "false");
          cell.appendChild(document.createTextNode(" "));
          cell.appendChild(b);
        });
    }
    groups.forEach(function (g) {
      var box = g.querySelector("details.group-details");
      if (!box) { return; }
      box.addEventListener("toggle", function () { if (box.open) { addButtons(g); } });
      if (box.open) { addButtons(g); }
    });
    document.addEventListener("click", function (e) {
      var b = e.target.closest ? e.target.closest("button.factor-details-button") : null;
      if (b) { toggle(b); }
    });

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
