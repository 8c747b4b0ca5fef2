// The desk (farms/list.html): a box that chooses every farm on the page for a bulk action.
(function () {
  "use strict";
  var all = document.getElementById("desk-all");
  var form = document.getElementById("desk-bulk");
  if (!all || !form) { return; }
  var boxes = form.querySelectorAll('input[name="farm_id"]');
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) { n += 1; } });
      all.checked = n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    });
  });
}());
