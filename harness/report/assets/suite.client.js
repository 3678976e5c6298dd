// The suite page's only script: click (or Enter on) a column header to sort the runs by it; again to reverse.
// Each cell carries its sort value in data-v (numbers for numeric columns; empty sorts last).
(function () {
  'use strict';
  var table = document.querySelector('table[data-sortable]');
  if (!table) return;
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function value(row, col, numeric) {
    var cell = row.cells[col];
    if (!cell) return null; // a skipped run's row spans the figures it does not have
    var v = cell.getAttribute('data-v');
    if (v === null) v = cell.textContent.trim();
    if (v === '') return null;
    return numeric ? Number(v) : v.toLowerCase();
  }

  function sortBy(col) {
    var th = heads[col];
    var numeric = th.getAttribute('data-type') === 'num';
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    heads.forEach(function (h) {
      h.removeAttribute('aria-sort');
    });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, col, numeric);
      var y = value(b, col, numeric);
      if (x === y) return 0;
      if (x === null) return 1; // missing figures last, whichever the direction
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
    rows.forEach(function (r) {
      body.appendChild(r);
    });
  }

  heads.forEach(function (th, col) {
    if (!th.hasAttribute('data-type')) return;
    th.tabIndex = 0;
    th.title = 'sort by ' + th.textContent.trim();
    th.addEventListener('click', function () {
      sortBy(col);
    });
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        sortBy(col);
      }
    });
  });
  table.setAttribute('data-ready', 'true');
})();
