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
