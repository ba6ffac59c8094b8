/* Live dashboard: a consistent snapshot over REST, then the run's events over the WebSocket from the
   snapshot's position on, folded here. The token stays in this tab's sessionStorage; it is sent in the
   Authorization header and as the WebSocket's first message, never in a URL. */
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var S = null, ws = null;
  window.__dashboard = { state: function () { return S; } };
  var tokenInput = $('token');
  tokenInput.value = sessionStorage.getItem('hft-token') || '';

  function status(text, cls) { var s = $('status'); s.textContent = text; s.className = cls || ''; }
  function api(path) {
    return fetch(path, { headers: { authorization: 'Bearer ' + tokenInput.value } }).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { throw new Error(r.status + ' ' + (b.message || '')); });
      return r.json();
    });
  }
  function td(text, cls) { var e = document.createElement('td'); e.textContent = text === null || text === undefined ? '–' : String(text); if (cls) e.className = cls; return e; }
  function iso(us) { return new Date(us / 1000).toISOString().slice(11, 23); }
  function fmtUs(us) { return us === null || us === undefined ? '–' : us < 1000 ? us + ' µs' : us < 1e6 ? (us / 1000).toFixed(2) + ' ms' : (us / 1e6).toFixed(2) + ' s'; }
  function pct(a, p) { if (!a.length) return null; var s = a.slice().sort(function (x, y) { return x - y; }); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; }

  function render() {
    if (!S) return;
    var tb = $('positions'); tb.textContent = '';
    var realized = 0, fees = 0, funding = 0, ccy = '';
    Object.keys(S.positions).forEach(function (k) {
      var p = S.positions[k], tr = document.createElement('tr');
      [p.strategy_id, p.instrument, p.quantity, p.avg_entry_price, p.realized_pnl, p.fees, p.funding].forEach(function (v) { tr.appendChild(td(v)); });
      tb.appendChild(tr);
      realized += Number(p.realized_pnl); fees += Number(p.fees); funding += Number(p.funding); ccy = p.currency;
    });
    $('pnl').innerHTML = '';
    [['realized', realized], ['fees', -fees], ['funding', funding], ['realized net', realized - fees + funding]].forEach(function (r) {
      var k = document.createElement('div'); k.textContent = r[0]; var v = document.createElement('div'); v.textContent = r[1].toFixed(6) + ' ' + ccy;
      $('pnl').appendChild(k); $('pnl').appendChild(v);
    });
    var oo = $('open-orders'); oo.textContent = '';
    var ids = Object.keys(S.open);
    $('open-count').textContent = '(' + ids.length + ')';
    ids.slice(-200).reverse().forEach(function (id) {
      var o = S.open[id], tr = document.createElement('tr');
      [o.client_order_id, o.side, o.price_ticks, o.size_lots, o.filled_lots, o.status].forEach(function (v, i) { tr.appendChild(td(v, i === 1 ? o.side : '')); });
      oo.appendChild(tr);
    });
    var fb = $('fills'); fb.textContent = '';
    $('fill-count').textContent = '(' + S.fillCount + ' in run)';
    S.fills.forEach(function (f) {
      var tr = document.createElement('tr'); tr.setAttribute('data-trade-id', f.venue_trade_id); if (f.fresh) tr.className = 'new';
      [iso(f.ts_event_us), f.client_order_id, f.side, f.price, f.size, f.liquidity, f.fee].forEach(function (v, i) { tr.appendChild(td(v, i === 2 ? f.side : '')); });
      fb.appendChild(tr);
    });
    var L = S.latency;
    $('latency').innerHTML = '';
    [['ack p50 / p99 (snapshot)', fmtUs(L.ackP50Us) + ' / ' + fmtUs(L.ackP99Us)], ['fill p50 / p99 (snapshot)', fmtUs(L.fillP50Us) + ' / ' + fmtUs(L.fillP99Us)],
     ['fill p50 (live, ' + S.liveFill.length + ')', fmtUs(pct(S.liveFill, 0.5))], ['last fill latency', fmtUs(S.liveFill[S.liveFill.length - 1])]].forEach(function (r) {
      var k = document.createElement('div'); k.textContent = r[0]; var v = document.createElement('div'); v.textContent = r[1];
      $('latency').appendChild(k); $('latency').appendChild(v);
    });
    var rs = $('risk-state'); rs.textContent = S.risk; rs.className = 'state ' + S.risk;
    $('risk-changes').textContent = S.riskChanges.slice(-5).map(function (c) { return iso(c.ts_event_us) + ' ' + c.from_state + '→' + c.to_state + ' ' + c.reason; }).join(' · ');
    $('last-event').textContent = 'position ' + S.position;
  }

  var pending = false;
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; render(); }); } }

  function apply(e) {
    var d = e.data, o;
    S.position = e.position;
    switch (e.type) {
      case 'order.requested':
        S.open[d.clientOrderId] = { client_order_id: d.clientOrderId, side: d.side, price_ticks: d.priceTicks, size_lots: d.sizeLots, filled_lots: 0, status: 'initialized', submitted_ts_us: null };
        break;
      case 'order.submitted': o = S.open[d.clientOrderId]; if (o) { o.status = 'submitted'; o.submitted_ts_us = e.tsEvent; } break;
      case 'order.accepted': o = S.open[d.clientOrderId]; if (o) o.status = 'accepted'; break;
      case 'order.cancel-requested': o = S.open[d.clientOrderId]; if (o) o.status = 'pending-cancel'; break;
      case 'order.filled':
        o = S.open[d.clientOrderId];
        if (o) {
          if (o.filled_lots === 0 && o.submitted_ts_us !== null) S.liveFill.push(e.tsEvent - o.submitted_ts_us);
          o.filled_lots += d.sizeLots; o.status = d.leavesLots === 0 ? 'filled' : 'partially-filled';
          if (d.leavesLots === 0) delete S.open[d.clientOrderId];
        }
        S.fillCount++;
        S.fills.unshift({ venue_trade_id: d.venueTradeId, client_order_id: d.clientOrderId, side: d.side, price: d.price, size: d.size, liquidity: d.liquidity, fee: d.fee, ts_event_us: e.tsEvent, fresh: true });
        if (S.fills.length > 50) S.fills.length = 50;
        break;
      case 'order.canceled': case 'order.rejected': case 'order.expired': case 'order.denied': delete S.open[d.clientOrderId]; break;
      case 'position.changed':
        S.positions[d.strategyId + '|' + d.instrument] = { strategy_id: d.strategyId, instrument: d.instrument, quantity: d.quantity, avg_entry_price: d.avgEntryPrice, realized_pnl: d.realizedPnl, fees: d.fees, funding: d.funding, currency: d.currency };
        break;
      case 'risk.state-changed': S.risk = d.to; S.riskChanges.push({ ts_event_us: e.tsEvent, from_state: d.from, to_state: d.to, reason: d.reason }); break;
      default: break;
    }
  }

  function load(runId) {
    if (ws) { ws.close(); ws = null; }
    return api('/api/runs/' + encodeURIComponent(runId) + '/dashboard').then(function (snap) {
      var positions = {}; snap.positions.forEach(function (p) { positions[p.strategy_id + '|' + p.instrument] = p; });
      var open = {}; snap.openOrders.slice().reverse().forEach(function (o) { open[o.client_order_id] = o; });
      S = { runId: runId, position: snap.position, positions: positions, open: open, fills: snap.fills, fillCount: snap.run.fills, latency: snap.latency, liveFill: [],
            risk: snap.risk.state || ((snap.run.summary && snap.run.summary.tradingState) || 'ACTIVE'), riskChanges: snap.risk.changes };
      render();
      var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      ws = new WebSocket(proto + '//' + location.host + '/api/runs/' + encodeURIComponent(runId) + '/ws?from=' + (snap.position + 1));
      ws.onopen = function () { ws.send(JSON.stringify({ type: 'auth', token: tokenInput.value })); };
      ws.onmessage = function (m) {
        var msg = JSON.parse(m.data);
        if (msg.type === 'ready') { status('live · ' + msg.role, 'live'); return; }
        if (msg.type === 'events' && S && S.runId === runId) { S.fills.forEach(function (f) { f.fresh = false; }); msg.events.forEach(apply); schedule(); }
      };
      ws.onclose = function (ev) { if (ev.code !== 1000 && ev.code !== 1005) status('closed ' + ev.code + ' ' + ev.reason, 'error'); else status('disconnected'); };
    });
  }

  $('connect').onclick = function () {
    sessionStorage.setItem('hft-token', tokenInput.value);
    api('/api/runs').then(function (r) {
      var sel = $('run'); sel.textContent = '';
      r.runs.forEach(function (run) { var o = document.createElement('option'); o.value = run.run_id; o.textContent = run.run_id + ' · ' + (run.scenario || '') + ' · ' + run.mode; sel.appendChild(o); });
      if (!r.runs.length) { status('no runs in the store', 'error'); return; }
      sel.value = r.runs[r.runs.length - 1].run_id;
      return load(sel.value);
    }).catch(function (e) { status(String(e.message || e), 'error'); });
  };
  $('run').onchange = function () { load($('run').value).catch(function (e) { status(String(e.message || e), 'error'); }); };
  if (tokenInput.value) $('connect').onclick();
})();
