/* Run report page: decodes the inlined data and draws it with uPlot. Runs offline (no network). */
/* global uPlot */
(function () {
  'use strict';
  var R = JSON.parse(document.getElementById('report-data').textContent);
  var charts = {};
  window.__report = { data: R, charts: charts };

  // Arrays arrive delta-encoded (see packDeltas in htmlShell.ts): [first, d1, d2, ...], null kept.
  function unpack(a) {
    var out = new Array(a.length), last = 0;
    for (var i = 0; i < a.length; i++) {
      if (a[i] === null) { out[i] = null; continue; }
      last += a[i]; out[i] = last;
    }
    return out;
  }
  function secs(tUs) { return tUs.map(function (t) { return t === null ? null : t / 1e6; }); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmtNum(s, dp) { var n = Number(s); return isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: dp, maximumFractionDigits: dp }) : String(s); }
  function fmtUs(us) {
    if (us === null || us === undefined) return '–';
    if (us < 1000) return us.toFixed(0) + ' µs';
    if (us < 1e6) return (us / 1000).toFixed(us < 1e4 ? 2 : 1) + ' ms';
    return (us / 1e6).toFixed(2) + ' s';
  }
  function iso(us) { return new Date(us / 1000).toISOString().replace('T', ' ').replace('Z', '') + String(Math.floor(us % 1000)).padStart(3, '0'); }

  var width = function () { return Math.max(600, document.getElementById('main').clientWidth - 20); };
  var sync = uPlot.sync('time');
  // Times are shown in UTC, as the data and the logs are.
  function utc(ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); }

  // Wheel zoom on x around the cursor; drag selects a range; double-click resets. Down to 1 ms and below.
  function wheelZoom(u) {
    u.over.addEventListener('wheel', function (e) {
      e.preventDefault();
      var min = u.scales.x.min, max = u.scales.x.max, span = max - min;
      var at = u.posToVal(e.offsetX, 'x');
      var f = e.deltaY < 0 ? 0.75 : 1 / 0.75;
      var nspan = Math.max(span * f, 1e-4);
      var lo = at - (at - min) * (nspan / span);
      u.setScale('x', { min: lo, max: lo + nspan });
    }, { passive: false });
  }
  function timeChart(id, title, series, data, opts) {
    var host = document.getElementById(id);
    host.appendChild(el('h3', {}, title));
    var o = Object.assign({
      width: width(), height: 260, series: [{}].concat(series), scales: { x: { time: true } }, tzDate: utc,
      cursor: { sync: { key: sync.key }, drag: { x: true, y: false } }, legend: { live: true },
      axes: [{}, { size: 80 }], plugins: [{ hooks: { ready: [wheelZoom] } }],
    }, opts || {});
    var u = new uPlot(o, data, host);
    charts[id] = u;
    return u;
  }

  // ---------- header ----------
  document.getElementById('title').textContent = 'Run ' + R.runId + ' · ' + R.scenario;
  var cards = [
    ['Net P&L', fmtNum(R.pnl.net, 4) + ' ' + R.currency],
    ['Final equity', fmtNum(R.finalEquity, 2) + ' ' + R.currency],
    ['Max drawdown', fmtNum(R.maxDrawdown, 4) + ' ' + R.currency],
    ['Fills', R.counts.fills.toLocaleString('en-US')],
    ['Orders', R.counts.orders.toLocaleString('en-US')],
    ['Period', iso(R.startUs).slice(0, 19) + ' → ' + iso(R.endUs).slice(11, 19) + ' UTC'],
  ];
  var cardHost = document.getElementById('cards');
  cards.forEach(function (c) { var d = el('div', { class: 'card' }); d.appendChild(el('div', { class: 'k' }, c[0])); d.appendChild(el('div', { class: 'v' }, c[1])); cardHost.appendChild(d); });

  // ---------- equity and drawdown ----------
  var eqT = secs(unpack(R.equity.t)), eqV = unpack(R.equity.v).map(function (v) { return v / 1e6; });
  timeChart('equity', 'Equity (' + R.currency + ') · ' + R.equitySamples.toLocaleString('en-US') + ' samples every ' + fmtUs(R.equityIntervalUs) + (R.equity.t.length < R.equity.total ? ', ' + R.equity.t.length + ' drawn' : ''),
    [{ label: 'equity', stroke: '#2563eb', width: 1.5, value: function (u, v) { return v === null ? '–' : v.toFixed(4); } }], [eqT, eqV]);
  var ddT = secs(unpack(R.drawdown.t)), ddV = unpack(R.drawdown.v).map(function (v) { return v / 1e6; });
  timeChart('drawdown', 'Drawdown from peak (' + R.currency + ')',
    [{ label: 'drawdown', stroke: '#dc2626', fill: 'rgba(220,38,38,0.15)', width: 1, value: function (u, v) { return v === null ? '–' : v.toFixed(4); } }], [ddT, ddV], { height: 180 });

  // ---------- prices with quotes and fills ----------
  var BUY = '#16a34a', SELL = '#dc2626';
  function marker(fill) {
    return { show: true, size: 9, width: 0, fill: fill, stroke: fill };
  }
  R.prices.forEach(function (p, k) {
    var inst = R.instruments.filter(function (i) { return i.id === p.instrument; })[0];
    var tick = Number(inst.tickSize);
    var px = function (a) { return a.map(function (v) { return v === null ? null : v * tick; }); };
    var t = secs(unpack(p.t)), bid = px(unpack(p.bid)), ask = px(unpack(p.ask));
    var mid = bid.map(function (b, i) { return (b + ask[i]) / 2; });
    var qt = secs(unpack(p.quotes.t)), qb = px(unpack(p.quotes.bid)), qa = px(unpack(p.quotes.ask));
    var ft = secs(unpack(p.fills.t)), fp = px(unpack(p.fills.priceTicks)), fs = p.fills.side;
    var buys = [[], []], sells = [[], []];
    for (var i = 0; i < ft.length; i++) {
      var s = fs[i] > 0 ? buys : sells, x = ft[i];
      // Partial fills of one trade share a timestamp; one x per marker keeps each of them (1 µs apart).
      if (s[0].length && x <= s[0][s[0].length - 1]) x = s[0][s[0].length - 1] + 1e-6;
      s[0].push(x); s[1].push(fp[i]);
    }
    // uPlot draws aligned columns: join the series on one x; join-made holes are skipped (undefined).
    var data = uPlot.join([[t, mid, bid, ask], [qt, qb, qa], buys, sells], [[1, 1, 1], [1, 1], [1], [1]]);
    var id = 'price-' + k;
    var host = el('div', { id: id, class: 'chart' });
    document.getElementById('prices').appendChild(host);
    var dp = Math.max(0, -Math.floor(Math.log10(tick)));
    var val = function (u, v) { return v === null || v === undefined ? '–' : v.toFixed(dp); };
    timeChart(id, p.instrument + ': mid, best bid/ask, our quotes, fills (' + p.fills.total.toLocaleString('en-US') + (p.fills.t.length < p.fills.total ? ', ' + p.fills.t.length + ' drawn' : '') + ') — drag to zoom, wheel zooms, double-click resets', [
      { label: 'mid', stroke: '#111827', width: 1, value: val },
      { label: 'best bid', stroke: '#86efac', width: 1, value: val },
      { label: 'best ask', stroke: '#fca5a5', width: 1, value: val },
      { label: 'our bid', stroke: BUY, width: 1, dash: [4, 3], paths: uPlot.paths.stepped({ align: 1 }), value: val },
      { label: 'our ask', stroke: SELL, width: 1, dash: [4, 3], paths: uPlot.paths.stepped({ align: 1 }), value: val },
      { label: 'buy fill', stroke: BUY, paths: function () { return null; }, points: marker(BUY), value: val },
      { label: 'sell fill', stroke: SELL, paths: function () { return null; }, points: marker(SELL), value: val },
    ], data, { height: 380, axes: [{}, { size: 90 }] });
  });

  // ---------- inventory ----------
  if (R.inventory.length > 0) {
    var inv = R.inventory.map(function (x) {
      var inst = R.instruments.filter(function (i) { return i.id === x.instrument; })[0];
      var lot = Number(inst.lotSize);
      var t = secs(unpack(x.t)), q = unpack(x.lots).map(function (v) { return v * lot; });
      // Flat from the run's start and held to its end, so the steps span the run like the other charts.
      if (t.length && t[0] > R.startUs / 1e6) { t.unshift(R.startUs / 1e6); q.unshift(0); }
      if (t.length && t[t.length - 1] < R.endUs / 1e6) { t.push(R.endUs / 1e6); q.push(q[q.length - 1]); }
      return [t, q];
    });
    var palette = ['#7c3aed', '#0891b2', '#ea580c', '#65a30d', '#db2777'];
    timeChart('inventory', 'Inventory per strategy | instrument (base units; contracts for inverse)', R.inventory.map(function (x, i) {
      return { label: x.key, stroke: palette[i % palette.length], width: 1.5, paths: uPlot.paths.stepped({ align: 1 }) };
    }), uPlot.join(inv), { height: 200 });
  } else document.getElementById('inventory').appendChild(el('p', {}, 'No position changes.'));

  // ---------- P&L breakdown ----------
  var pnl = R.pnl;
  var rows = [['Spread capture', pnl.spreadCapture], ['Fees', String(-Number(pnl.fees))], ['Funding', pnl.funding], ['Mark-to-market (inventory)', pnl.markToMarket], ['Net P&L', pnl.net]];
  var maxAbs = Math.max.apply(null, rows.map(function (r) { return Math.abs(Number(r[1])); }).concat([1e-12]));
  var tb = document.getElementById('pnl-table');
  rows.forEach(function (r) {
    var v = Number(r[1]) || 0;
    var tr = el('tr', { class: r[0] === 'Net P&L' ? 'total' : '' });
    tr.appendChild(el('td', {}, r[0]));
    tr.appendChild(el('td', { class: 'num' }, fmtNum(v, 6) + ' ' + pnl.currency));
    var bar = el('td', { class: 'barcell' }), b = el('div', { class: 'bar ' + (v >= 0 ? 'pos' : 'neg') });
    b.style.width = (50 * Math.abs(v) / maxAbs).toFixed(2) + '%';
    b.style.marginLeft = v >= 0 ? '50%' : (50 - 50 * Math.abs(v) / maxAbs).toFixed(2) + '%';
    bar.appendChild(b); tr.appendChild(bar); tb.appendChild(tr);
  });
  // Runs settling in several currencies: the curves above are in the first instrument's settle currency.
  var byCcy = (R.summary && R.summary.equityByCurrency) || [];
  if (byCcy.length > 1) {
    var ct = document.getElementById('pnl-currencies');
    ct.appendChild(el('h3', {}, 'Equity by settle currency (run summary); charts and breakdown above are in ' + R.currency));
    var t2 = el('table'), hr = el('tr');
    ['currency', 'initial', 'realized', 'unrealized', 'fees', 'funding', 'net', 'equity'].forEach(function (h) { hr.appendChild(el('th', {}, h)); });
    t2.appendChild(hr);
    byCcy.forEach(function (c) {
      var tr = el('tr');
      [c.currency, c.initialBalance, c.realizedPnl, c.unrealizedPnl, c.fees, c.funding, c.netPnl, c.equity].forEach(function (v, i) { tr.appendChild(el('td', { class: i ? 'num' : '' }, i ? fmtNum(v, 8) : v)); });
      t2.appendChild(tr);
    });
    ct.appendChild(t2);
  }
  document.getElementById('pnl-note').textContent = 'Realized ' + fmtNum(pnl.realized, 6) + ' + unrealized ' + fmtNum(pnl.unrealized, 6) + ' − fees + funding = net. Spread capture is measured against the mid of the last BBO before each fill; mark-to-market is the rest.';

  // ---------- order outcomes ----------
  var o = R.outcomes, ot = document.getElementById('outcomes-table');
  var orows = [['requested', o.requested], ['filled', o.filled], ['partially filled, then canceled', o.partiallyFilledThenCanceled], ['canceled', o.canceled], ['expired', o.expired], ['still open at the end', o.open]];
  Object.keys(o.rejected).forEach(function (k) { orows.push(['rejected: ' + k, o.rejected[k]]); });
  Object.keys(o.denied).forEach(function (k) { orows.push(['denied by risk rule ' + k, o.denied[k]]); });
  orows.forEach(function (r) { var tr = el('tr'); tr.appendChild(el('td', {}, r[0])); tr.appendChild(el('td', { class: 'num' }, String(r[1]))); ot.appendChild(tr); });

  // ---------- latency histograms ----------
  function histogram(id, title, h) {
    var host = document.getElementById(id);
    var labels = h.edgesUs.map(function (e) { return '≤' + fmtUs(e); }).concat(['>' + fmtUs(h.edgesUs[h.edgesUs.length - 1])]);
    host.appendChild(el('h3', {}, title + ' · n=' + h.n + ' · p50 ' + fmtUs(h.p50Us) + ' · p90 ' + fmtUs(h.p90Us) + ' · p99 ' + fmtUs(h.p99Us) + ' · max ' + fmtUs(h.maxUs)));
    var xs = h.counts.map(function (_, i) { return i; });
    var u = new uPlot({
      width: Math.floor(width() / 3) - 12, height: 220, scales: { x: { time: false, range: [-0.5, xs.length - 0.5] } },
      series: [{}, { label: 'count', fill: 'rgba(37,99,235,0.5)', stroke: '#2563eb', paths: uPlot.paths.bars({ size: [0.8] }), points: { show: false } }],
      axes: [{ values: function (u, v) { return v.map(function (i) { return labels[i] || ''; }); }, rotate: -45, size: 60, font: '10px sans-serif' }, {}],
      legend: { show: false }, cursor: { show: false },
    }, [xs, h.counts], host);
    charts[id] = u;
  }
  histogram('lat-ack', 'Order ack latency (submit → accepted)', R.latency.ack);
  histogram('lat-fill', 'Fill latency (submit → fill received)', R.latency.fill);
  histogram('lat-queue', 'Queue wait (accepted → filled at the venue)', R.latency.queueWait);

  // ---------- risk timeline ----------
  var rk = document.getElementById('risk');
  if (R.risk.length === 0) rk.appendChild(el('p', {}, 'Trading state ' + R.initialTradingState + ' for the whole run: no risk state change.'));
  else {
    var lvl = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };
    var rt = [R.startUs / 1e6], rv = [lvl[R.initialTradingState] || 0];
    R.risk.forEach(function (c) { rt.push(c.tUs / 1e6); rv.push(lvl[c.to]); });
    rt.push(R.endUs / 1e6); rv.push(rv[rv.length - 1]);
    timeChart('risk', 'Risk trading state (0 ACTIVE, 1 REDUCING, 2 HALTED)', [{ label: 'state', stroke: '#9333ea', width: 2, paths: uPlot.paths.stepped({ align: 1 }) }], [rt, rv], { height: 150 });
    var t = el('table');
    R.risk.forEach(function (c) { var tr = el('tr'); [iso(c.tUs), c.from + ' → ' + c.to, c.reason].forEach(function (x) { tr.appendChild(el('td', {}, x)); }); t.appendChild(tr); });
    rk.appendChild(t);
  }

  // ---------- provenance ----------
  var pv = document.getElementById('provenance');
  [['run id', R.runId], ['stream', R.streamId], ['mode', R.mode], ['seed', String(R.seed)], ['code version', R.codeVersion], ['config hash', R.configHash],
   ['events', R.events.toLocaleString('en-US')], ['market rows', R.marketRows.toLocaleString('en-US')], ['completed', String(R.completed)]].forEach(function (r) {
    var tr = el('tr'); tr.appendChild(el('td', {}, r[0])); tr.appendChild(el('td', { class: 'mono' }, r[1])); pv.appendChild(tr);
  });
  var ds = document.getElementById('datasets');
  R.datasets.forEach(function (d) { var tr = el('tr'); [d.path, d.sha256, d.rowFrom + '–' + d.rowTo].forEach(function (x) { tr.appendChild(el('td', { class: 'mono' }, x)); }); ds.appendChild(tr); });
  document.getElementById('config').textContent = JSON.stringify(R.config, null, 2);

  window.__reportReady = true;
})();
