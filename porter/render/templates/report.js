"use strict";
// Sorting for every table.sortable and filtering for the findings table. Reads only data-*
// attributes and textContent, writes only attributes, hidden flags and textContent: no HTML is
// ever built from the report's text.
(function () {
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return numeric ? 0 : ""; }
    var raw = cell.getAttribute("data-sort");
    if (raw === null) { raw = cell.textContent; }
    return numeric ? parseFloat(raw) || 0 : raw.toLowerCase();
  }

  function sortBy(table, header) {
    var index = header.cellIndex;
    var numeric = header.getAttribute("data-type") === "num";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var heads = table.tHead.rows[0].cells;
    for (var h = 0; h < heads.length; h++) { heads[h].removeAttribute("aria-sort"); }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    for (var r = 0; r < rows.length; r++) { body.appendChild(rows[r]); }
  }

  var tables = document.querySelectorAll("table.sortable");
  for (var t = 0; t < tables.length; t++) {
    (function (table) {
      var heads = table.tHead.rows[0].cells;
      for (var h = 0; h < heads.length; h++) {
        heads[h].classList.add("sortable");
        heads[h].setAttribute("tabindex", "0");
        heads[h].addEventListener("click", function () { sortBy(table, this); });
        heads[h].addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(table, this); }
        });
      }
    })(tables[t]);
  }

  var findings = document.getElementById("findings");
  var search = document.getElementById("filter-text");
  var severity = document.getElementById("filter-severity");
  var pit = document.getElementById("filter-pit");
  var target = document.getElementById("filter-target");
  var status = document.getElementById("filter-status");
  var count = document.getElementById("filter-count");
  if (findings && search && severity && pit && target && status && count) {
    var rows = findings.tBodies[0].rows;
    var applyFilter = function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      for (var r = 0; r < rows.length; r++) {
        var row = rows[r];
        var text = row.textContent.toLowerCase();
        var visible = words.every(function (word) { return text.indexOf(word) !== -1; })
          && (!severity.value || row.getAttribute("data-severity") === severity.value)
          && (!pit.value || row.getAttribute("data-pit") === pit.value)
          && (!status.value || row.getAttribute("data-status-" + target.value) === status.value);
        row.hidden = !visible;
        if (visible) { shown++; }
      }
      count.textContent = shown + " of " + rows.length + " sites shown";
    };
    [search, severity, pit, target, status].forEach(function (control) {
      control.addEventListener("input", applyFilter);
      control.addEventListener("change", applyFilter);
    });
    applyFilter();
  }
  document.documentElement.setAttribute("data-ready", "1");
})();
