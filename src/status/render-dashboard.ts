// `?dashboard` (tsfpm): a self-contained live page (no CDN, inline CSS and JS, works offline) that
// polls `?json&full` on the same status path every second and shows the pool, its children and what
// each runs. Rates and durations are the master's own figures over its recent window (`window ...`
// fields: requests finished in the last ~10 s, measured by the master's clock, status and ping pages
// excluded), not numbers the browser derives from its own clock and polls. The page itself carries no
// data: everything comes from the JSON, so it needs no escaping beyond the pool name in the title.
// The script below is plain ES2017 and uses no template literals, so it can live inside this TS
// template string unchanged.
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
.note{color:#556;font-size:12px;margin:4px 0 12px}
tr.other td{color:#556}
`;

const SCRIPT = `
(function () {
  var url = location.pathname + '?json&full';
  var updates = 0, firstAccepted = null, maxRps = 0, history = [];
  function $(id) { return document.getElementById(id); }
  function set(id, value) { $(id).textContent = String(value); }
  // A duration in the unit that shows it: µs below a millisecond, ms below a second, else s.
  function dur(us) {
    if (us < 1000) return Math.round(us) + ' \u00b5s';
    if (us < 1e6) return (us / 1000).toFixed(1) + ' ms';
    return (us / 1e6).toFixed(2) + ' s';
  }
  function num(v) { return typeof v === 'number' ? v : 0; }
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
    ctx.fillStyle = '#667'; ctx.fillText('requests/s over the last window, one point per update (max ' + top.toFixed(1) + ')', 8, 14);
  }
  function row(cells, cls) {
    var out = '<tr' + (cls ? ' class="' + cls + '"' : '') + '>';
    for (var i = 0; i < cells.length; i++) out += cells[i];
    return out + '</tr>';
  }
  function td(text, cls) { return '<td' + (cls ? ' class="' + esc(cls) + '"' : '') + '>' + esc(text) + '</td>'; }
  function render(s) {
    var rps = num(s['window requests per second']), n = num(s['window requests']);
    if (firstAccepted === null) firstAccepted = s['accepted conn'];
    updates++;
    history.push(rps); if (history.length > 60) history.shift();
    maxRps = Math.max(maxRps, rps);
    set('pool', s.pool); set('pm', s['process manager']); set('since', s['start since'] + ' s');
    set('window', num(s['window seconds']).toFixed(1));
    set('rps', rps.toFixed(1)); set('finished', n);
    set('p50', n > 0 ? dur(num(s['window duration p50'])) : '-');
    set('p95', n > 0 ? dur(num(s['window duration p95'])) : '-');
    set('p99', n > 0 ? dur(num(s['window duration p99'])) : '-');
    set('accepted', s['accepted conn']);
    set('active', s['active processes']); set('idle', s['idle processes']); set('total', s['total processes']);
    set('maxchildren', s['max children'] === undefined ? '-' : s['max children']);
    set('queue', s['listen queue'] + ' / ' + s['max listen queue']);
    set('slow', s['slow requests']); set('reached', s['max children reached']);
    var procs = s.processes || [], rows = '';
    for (var j = 0; j < procs.length; j++) {
      var p = procs[j], mem = p.memory === undefined ? '-' : (p.memory / 1048576).toFixed(1);
      var what = p.state === 'Running' ? 'running for' : 'last took';
      rows += row([td(p.pid), td(p.state, p.state), td(p.requests), td(num(p['running requests'])),
        td(what + ' ' + dur(p['request duration'])), td(p['request method']), td(p['request uri']), td(mem)]);
      var others = p['other requests'] || [];
      for (var k = 0; k < others.length; k++) {
        var o = others[k];
        rows += row([td(''), td(''), td(''), td(''), td('running for ' + dur(o['request duration'])),
          td(o['request method']), td(o['request uri']), td('')], 'other');
      }
    }
    $('procs').innerHTML = rows;
    var b = document.body;
    b.setAttribute('data-updates', String(updates));
    b.setAttribute('data-first-accepted', String(firstAccepted));
    b.setAttribute('data-last-accepted', String(s['accepted conn']));
    b.setAttribute('data-rps', rps.toFixed(2));
    b.setAttribute('data-max-rps', maxRps.toFixed(2));
    set('updated', new Date().toLocaleTimeString()); set('error', '');
    draw();
  }
  function esc(t) { return String(t).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
  function poll() {
    fetch(url, { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (s) { render(s); })
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
${card('rps', 'requests / s')}${card('finished', 'requests finished')}${card('p50', 'duration p50')}
${card('p95', 'duration p95')}${card('p99', 'duration p99')}${card('accepted', 'accepted conn (all)')}
${card('active', 'active processes')}${card('idle', 'idle processes')}${card('total', 'total processes')}
${card('maxchildren', 'max children')}${card('slow', 'slow requests')}${card('queue', 'listen queue / max')}
${card('reached', 'max children reached')}
</div>
<p class="note">Requests, rate and durations: requests that finished in the last <span id="window">-</span> s, as the
master counts them (status and ping pages, such as this page's own polls, are not counted; durations are
counted in buckets a factor √2 wide, all under 64 µs in one, so percentiles are approximate). accepted conn counts every connection since the
pool started, status polls included.</p>
<canvas id="chart"></canvas>
<table><thead><tr><th>pid</th><th>state</th><th>requests</th><th>running now</th><th>request duration</th><th>method</th><th>request uri</th><th>memory (MiB)</th></tr></thead>
<tbody id="procs"></tbody></table>
<p class="note">Each child's row shows its oldest running request, or the last one it finished when idle; its other running requests follow on their own rows.</p>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
