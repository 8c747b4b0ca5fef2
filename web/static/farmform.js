/* farmcalc farm form: progressive enhancement only (the form works without it).
   On the animals step, the milk-yield field is shown only on dairy-cow rows
   (and on rows whose kind is not chosen yet, or that already hold a value). */
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
}());
