// `?dashboard` (tsfpm): a self-contained live page (no CDN, inline CSS and JS, works offline) that
// polls `?json&full` on the same status path every second and shows the pool, its children and their
// states, requests per second (from `accepted conn` deltas), latency (request durations) and slow
// requests. The page itself carries no data: everything comes from the JSON, so it needs no escaping
// beyond the pool name in the title. The script below is plain ES2017 and uses no template literals,
// so it can live inside this TS template string unchanged.
import { escapeMarkup } from './escape.js';
import type { PoolSnapshot } from './snapshot.js';

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 20px;display:flex;gap:24px;align-items:baseline}
header h1{font-size:18px;margin:0}header span{opacity:.8}
main{padding:16px 20px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin-bottom:16px}
.card{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:24px}.card small{color:#667}
canvas{background:#fff;border-radius:8px;box-shadow:0 1px 2px rgba(0,0,0,.08);width:100%;height:120px}
table{border-collapse:collapse;width:100%;background:#fff;margin-top:16px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e5ea;font-variant-numeric:tabular-nums}
.Idle{color:#2a7a2a}.Running{color:#b36b00;font-weight:600}.Finishing,.Starting{color:#777}
#error{color:#b00020}
`;

const SCRIPT = `
(function () {
  var url = location.pathname + '?json&full';
  var last = null, updates = 0, firstAccepted = null, maxRps = 0, history = [];
  function $(id) { return document.getElementById(id); }
  function set(id, value) { $(id).textContent = String(value); }
  function ms(us) { return (us / 1000).toFixed(1); }
  function draw() {
    var c = $('chart'), ctx = c.getContext('2d');
    c.width = c.clientWidth; c.height = c.clientHeight;
    ctx.clearRect(0, 0, c.width, c.height);
    var top = Math.max(1, Math.max.apply(null, history.concat([1])));
    ctx.strokeStyle = '#3366cc'; ctx.lineWidth = 2; ctx.beginPath();
    for (var i = 0; i < history.length; i++) {
      var x = c.width - (history.length - 1 - i) * (c.width / 59);
      var y = c.height - 8 - (history[i] / top) * (c.height - 16);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.stroke();
    ctx.fillStyle = '#667'; ctx.fillText('req/s, last 60 samples (max ' + top.toFixed(1) + ')', 8, 14);
  }
  function render(s, now) {
    var rps = 0;
    if (last !== null && now > last.at) rps = Math.max(0, (s['accepted conn'] - last.accepted) / ((now - last.at) / 1000));
    last = { at: now, accepted: s['accepted conn'] };
    if (firstAccepted === null) firstAccepted = s['accepted conn'];
    updates++;
    if (updates > 1) { history.push(rps); if (history.length > 60) history.shift(); maxRps = Math.max(maxRps, rps); }
    var procs = s.processes || [], sum = 0, max = 0, n = 0;
    for (var i = 0; i < procs.length; i++) {
      var d = procs[i]['request duration'];
      if (procs[i].requests > 0) { sum += d; n++; if (d > max) max = d; }
    }
    set('pool', s.pool); set('pm', s['process manager']); set('since', s['start since'] + ' s');
    set('rps', rps.toFixed(1)); set('accepted', s['accepted conn']);
    set('active', s['active processes']); set('idle', s['idle processes']); set('total', s['total processes']);
    set('maxchildren', s['max children'] === undefined ? '-' : s['max children']);
    set('queue', s['listen queue'] + ' / ' + s['max listen queue']);
    set('slow', s['slow requests']); set('reached', s['max children reached']);
    set('latavg', n > 0 ? ms(sum / n) : '-'); set('latmax', n > 0 ? ms(max) : '-');
    var rows = '';
    for (var j = 0; j < procs.length; j++) {
      var p = procs[j];
      rows += '<tr><td>' + p.pid + '</td><td class="' + esc(p.state) + '">' + esc(p.state) + '</td><td>' + p.requests +
        '</td><td>' + ms(p['request duration']) + '</td><td>' + esc(p['request method']) + '</td><td>' + esc(p['request uri']) +
        '</td><td>' + (p.memory === undefined ? '-' : (p.memory / 1048576).toFixed(1)) + '</td></tr>';
    }
    $('procs').innerHTML = rows;
    var b = document.body;
    b.setAttribute('data-updates', String(updates));
    b.setAttribute('data-first-accepted', String(firstAccepted));
    b.setAttribute('data-last-accepted', String(s['accepted conn']));
    b.setAttribute('data-max-rps', maxRps.toFixed(2));
    set('updated', new Date(now).toLocaleTimeString()); set('error', '');
    draw();
  }
  function esc(t) { return String(t).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function poll() {
    fetch(url, { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (s) { render(s, Date.now()); })
      .catch(function (e) { set('error', 'update failed: ' + e.message); })
      .then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
`;

export function renderDashboard(s: PoolSnapshot): string {
  const card = (id: string, label: string): string =>
    `<div class="card"><small>${label}</small><b id="${id}">-</b></div>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" /><title>tsfpm dashboard: ${escapeMarkup(s.pool)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1" /><style>${STYLE}</style></head>
<body data-updates="0">
<header><h1>tsfpm · pool <span id="pool">${escapeMarkup(s.pool)}</span></h1><span>pm <span id="pm">-</span></span>
<span>up <span id="since">-</span></span><span>updated <span id="updated">-</span></span><span id="error"></span></header>
<main>
<div class="cards">
${card('rps', 'requests / s')}${card('accepted', 'accepted conn')}${card('active', 'active processes')}
${card('idle', 'idle processes')}${card('total', 'total processes')}${card('maxchildren', 'max children')}
${card('latavg', 'latency avg (ms)')}${card('latmax', 'latency max (ms)')}${card('slow', 'slow requests')}
${card('queue', 'listen queue / max')}${card('reached', 'max children reached')}
</div>
<canvas id="chart"></canvas>
<table><thead><tr><th>pid</th><th>state</th><th>requests</th><th>request duration (ms)</th><th>method</th><th>request uri</th><th>memory (MiB)</th></tr></thead>
<tbody id="procs"></tbody></table>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
