/**
 * The report's own script, inlined after vega and vega-lite: tables sort by a click on a column
 * header (by each cell's data-value, numbers numerically, missing values last), and a cell's time
 * series is drawn when its row is opened (drawing hundreds of cells up front would make a large
 * run's report slow to open). Every drawn plot gets data-rendered="true"; a failure is shown in
 * place and logged with console.error, which the browser test treats as a failure.
 */
export const CLIENT_JS = `
(function () {
  'use strict';
  function key(el) {
    var v = el.getAttribute('data-value');
    if (v === null || v === '') return { missing: true, n: NaN, s: el.textContent || '' };
    var n = Number(v);
    return { missing: false, n: n, s: v };
  }
  function compare(a, b) {
    if (a.missing !== b.missing) return a.missing ? 1 : -1;
    if (!isNaN(a.n) && !isNaN(b.n)) return a.n - b.n;
    return a.s.localeCompare(b.s);
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      var sort = function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        // Several tbody elements (a row with its drill-down): sort the groups, else the rows.
        var many = table.tBodies.length > 1;
        var parent = many ? table : table.tBodies[0];
        var units = many ? Array.prototype.slice.call(table.tBodies) : Array.prototype.slice.call(parent.rows);
        units.sort(function (x, y) {
          var rx = many ? x.rows[0] : x;
          var ry = many ? y.rows[0] : y;
          var c = compare(key(rx.cells[col]), key(ry.cells[col]));
          return key(rx.cells[col]).missing || key(ry.cells[col]).missing ? c : dir * c;
        });
        units.forEach(function (u) { parent.appendChild(u); });
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
    });
  });

  var specs = JSON.parse(document.getElementById('bench-series').textContent || '{}');
  function draw(el, spec) {
    if (el.getAttribute('data-rendered')) return Promise.resolve();
    el.setAttribute('data-rendered', 'pending');
    var runtime = vega.parse(vegaLite.compile(spec).spec);
    var view = new vega.View(runtime, { renderer: 'svg', container: el, hover: true });
    return view.runAsync().then(function () {
      el.setAttribute('data-rendered', 'true');
    }).catch(function (e) {
      el.setAttribute('data-rendered', 'error');
      el.textContent = 'This plot could not be drawn: ' + e.message;
      console.error('bench report: ' + e.message);
    });
  }
  function open(button) {
    var id = button.getAttribute('data-cell');
    var row = document.getElementById('drill-' + id);
    if (!row) return Promise.resolve();
    var show = row.hidden;
    row.hidden = !show;
    button.setAttribute('aria-expanded', show ? 'true' : 'false');
    button.textContent = show ? 'hide' : 'show';
    return show && specs[id] ? draw(row.querySelector('.ts-plot'), specs[id]) : Promise.resolve();
  }
  document.querySelectorAll('button.drill').forEach(function (b) {
    b.addEventListener('click', function () { open(b); });
  });
  // For the browser test and for readers who want everything at once: opens every cell.
  window.benchOpenAll = function () {
    var jobs = [];
    document.querySelectorAll('button.drill[aria-expanded="false"]').forEach(function (b) { jobs.push(open(b)); });
    return Promise.all(jobs);
  };
  var all = document.getElementById('open-all');
  if (all) all.addEventListener('click', function () { window.benchOpenAll(); });
  if (location.hash.indexOf('#cell-') === 0) {
    var b = document.querySelector('button.drill[data-cell="' + location.hash.slice(6) + '"]');
    if (b) open(b);
  }
})();
`;
