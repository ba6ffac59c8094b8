/* Run comparison page: equity curves overlaid (x = time since each run's start) and a metrics table. */
/* global uPlot */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  function unpack(a) { var out = new Array(a.length), last = 0; for (var i = 0; i < a.length; i++) { if (a[i] === null) { out[i] = null; continue; } last += a[i]; out[i] = last; } return out; }
  function el(tag, attrs, text) { var e = document.createElement(tag); for (var k in attrs || {}) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; return e; }
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d', '#111827'];
  var tables = D.runs.map(function (r) {
    var t = unpack(r.equity.t), v = unpack(r.equity.v);
    return [t.map(function (x) { return (x - r.startUs) / 1e6; }), v.map(function (x) { return x / 1e6; })];
  });
  var host = document.getElementById('equity');
  host.appendChild(el('h3', {}, 'Equity (' + D.runs[0].currency + ') against seconds since each run\'s first event'));
  var u = new uPlot({
    width: Math.max(600, document.getElementById('main').clientWidth - 20), height: 380, scales: { x: { time: false } },
    series: [{ label: 's' }].concat(D.runs.map(function (r, i) { return { label: r.runId + ' (seed ' + r.seed + ')', stroke: palette[i % palette.length], width: 1.5, spanGaps: true }; })),
    axes: [{}, { size: 80 }], cursor: { drag: { x: true, y: false } },
  }, uPlot.join(tables), host);
  window.__compare = { data: D, chart: u };
  var t = document.getElementById('metrics');
  var head = el('tr'); D.columns.forEach(function (c) { head.appendChild(el('th', {}, c.label)); }); t.appendChild(head);
  D.rows.forEach(function (row) { var tr = el('tr'); D.columns.forEach(function (c) { tr.appendChild(el('td', { class: c.num ? 'num' : 'mono' }, String(row[c.key]))); }); t.appendChild(tr); });
  window.__reportReady = true;
})();
