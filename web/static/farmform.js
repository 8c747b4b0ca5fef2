/* farmcalc farm form: progressive enhancement only (the form works without it).
   On the animals step, the milk-yield field is shown only on dairy-cow rows
   (and on rows whose kind is not chosen yet, or that already hold a value); on the
   crops step, the yield input of the crop's basis (see below). */
(function () {
  "use strict";
  function update(select) {
    var row = select.closest("fieldset");
    var milk = row && row.querySelector('input[name$="-milk_kg_ecm_per_head"]');
    if (!milk) { return; }
    var show = select.value === "dairy_cow" || select.value === "" || milk.value.trim() !== "";
    milk.closest(".field").hidden = !show;
  }
  var selects = document.querySelectorAll('select[name^="livestock-"][name$="-category"]');
  Array.prototype.forEach.call(selects, function (select) {
    update(select);
    select.addEventListener("change", function () { update(select); });
  });

  /* On the crops step, one yield input per row: dry matter for leys, pasture and maize
     for silage (the form's data-forage-crops, farmcalc.vocabulary.FORAGE_CROPS), the
     delivered weight for the other crops. Both are shown while no crop is chosen, and an
     input that holds a value is never hidden. */
  var form = document.querySelector("form[data-forage-crops]");
  var forage = form ? form.getAttribute("data-forage-crops").split(" ") : [];
  function updateYield(select) {
    var row = select.closest("fieldset");
    if (!row) { return; }
    var fresh = row.querySelector('input[name$="-yield_kg_per_ha"]');
    var dm = row.querySelector('input[name$="-yield_kg_dm_per_ha"]');
    if (!fresh || !dm) { return; }
    var isForage = forage.indexOf(select.value) >= 0;
    fresh.closest(".field").hidden = select.value !== "" && isForage && fresh.value.trim() === "";
    dm.closest(".field").hidden = select.value !== "" && !isForage && dm.value.trim() === "";
  }
  var crops = document.querySelectorAll('select[name^="crops-"][name$="-crop"]');
  Array.prototype.forEach.call(crops, function (select) {
    updateYield(select);
    select.addEventListener("change", function () { updateYield(select); });
  });
}());

/* The manure step: a running sum of the shares under each kind of animal ("Summa: 80 % –
   20 % kvar"; the texts are the form's data-sum-*, the paragraph is aria-live), and the
   common combinations filled in with one click (the button's data-shares, "system=percent
   …"); without JavaScript the same buttons save the step with the combination. */
(function () {
  "use strict";
  var form = document.querySelector("form.manure-form");
  if (!form) { return; }
  function parse(text) {
    var t = text.replace(/[\s\u00a0\u202f]/g, "").replace(/\u2212/g, "-").replace(",", ".");
    if (t === "") { return 0; }
    var n = Number(t);
    return isFinite(n) ? n : 0;
  }
  function format(n) {
    var r = Math.round(n * 10) / 10;
    return String(Math.abs(r)).replace(".", ",");
  }
  function update(group) {
    var out = group.querySelector(".share-sum");
    if (!out) { return; }
    var total = 0;
    Array.prototype.forEach.call(group.querySelectorAll("input.input--number"), function (input) {
      total += parse(input.value);
    });
    var text;
    if (Math.abs(total - 100) < 0.05) {
      text = form.getAttribute("data-sum-complete");
    } else if (total < 100) {
      text = form.getAttribute("data-sum-left").replace("{left}", format(100 - total));
    } else {
      text = form.getAttribute("data-sum-over").replace("{over}", format(total - 100));
    }
    out.textContent = text.replace("{sum}", format(total));
    out.classList.toggle("share-sum--off", Math.abs(total - 100) >= 0.05);
  }
  Array.prototype.forEach.call(form.querySelectorAll(".share-group"), function (group) {
    update(group);
    group.addEventListener("input", function () { update(group); });
    Array.prototype.forEach.call(group.querySelectorAll("button[data-shares]"), function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var shares = {};
        button.getAttribute("data-shares").split(" ").forEach(function (part) {
          var kv = part.split("=");
          shares[kv[0]] = kv[1];
        });
        Array.prototype.forEach.call(group.querySelectorAll("input.input--number"), function (input) {
          var system = input.name.replace(/^.*-manure_systems-/, "");
          input.value = shares[system] !== undefined ? shares[system].replace(".", ",") : "";
          var fold = input.closest("details");
          if (fold && input.value !== "") { fold.open = true; }  /* a filled box is shown */
        });
        update(group);
      });
    });
  });
}());
