// Golden tests of every status format on one fixed scoreboard (php-src
// sapi/fpm/fpm/fpm_status.c fpm_status_handle_request()), plus what monitoring
// tools rely on: ?json parses with numbers as numbers, ?openmetrics parses with a real Prometheus
// text-format parser, and php-fpm's own fields come first and in php-fpm's order.
process.env['TZ'] = 'UTC'; // text/html times are local time; the goldens are written for UTC

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import parsePrometheus from 'parse-prometheus-text-format';
import { parseStatusQuery, renderStatus } from '../../../src/status/render.js';
import type { StatusQuery } from '../../../src/status/snapshot.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { SNAPSHOT } from './fixed-snapshot.js';

const golden = (name: string): string =>
  readFileSync(join(REPO_ROOT, 'test/unit/status/golden', `${name}.golden`), 'utf8');
const render = (format: StatusQuery['format'], full = false) => renderStatus(SNAPSHOT, { format, full });

const CASES: [StatusQuery['format'], boolean, string, string][] = [
  ['text', false, 'text', 'text/plain'],
  ['text', true, 'text-full', 'text/plain'],
  ['json', false, 'json', 'application/json'],
  ['json', true, 'json-full', 'application/json'],
  ['xml', false, 'xml', 'text/xml'],
  ['xml', true, 'xml-full', 'text/xml'],
  ['html', false, 'html', 'text/html'],
  ['html', true, 'html-full', 'text/html'],
  ['openmetrics', false, 'openmetrics', 'application/openmetrics-text; version=1.0.0; charset=utf-8'],
];

for (const [format, full, name, contentType] of CASES) {
  void test(`status ?${format}${full ? '&full' : ''} matches its golden file`, () => {
    const page = render(format, full);
    assert.equal(page.contentType, contentType);
    assert.equal(page.body, golden(name));
  });
}

/** php-fpm 8.2's pool labels in order: tsfpm's extras may only follow them. */
const PHP_FPM_POOL_LABELS = [
  'pool',
  'process manager',
  'start time',
  'start since',
  'accepted conn',
  'listen queue',
  'max listen queue',
  'listen queue len',
  'idle processes',
  'active processes',
  'total processes',
  'max active processes',
  'max children reached',
  'slow requests',
];
const PHP_FPM_PROCESS_KEYS = [
  'pid',
  'state',
  'start time',
  'start since',
  'requests',
  'request duration',
  'request method',
  'request uri',
  'content length',
  'user',
  'script',
  'last request cpu',
  'last request memory',
];

void test('text: the 14 php-fpm lines come first, in order; every value at column 23', () => {
  const lines = render('text', true).body.split('\n');
  PHP_FPM_POOL_LABELS.forEach((label, i) => {
    assert.match(lines[i] ?? '', new RegExp(`^${label}: +\\S`));
  });
  for (const line of lines.filter((l) => l.includes(':') && !l.startsWith('*'))) {
    assert.equal(line.search(/(?<=: +)\S/), 22, `value at column 23 in '${line}'`);
  }
});

void test('json: one line that parses; keys in php-fpm order; numbers are numbers; extras after them', () => {
  const body = render('json', true).body;
  assert.ok(!body.includes('\n'));
  const parsed = JSON.parse(body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed).slice(0, 14), PHP_FPM_POOL_LABELS);
  assert.deepEqual(Object.keys(parsed).slice(14), [
    'memory peak',
    'max children',
    'window seconds',
    'window requests',
    'window requests per second',
    'window duration p50',
    'window duration p95',
    'window duration p99',
    'processes',
  ]);
  for (const key of PHP_FPM_POOL_LABELS.slice(2)) assert.equal(typeof parsed[key], 'number', key);
  assert.equal(parsed['start time'], SNAPSHOT.startTime);
  assert.equal(parsed['max children'], 5);
  const processes = parsed['processes'] as Record<string, unknown>[];
  assert.equal(processes.length, 2);
  assert.deepEqual(Object.keys(processes[0] ?? {}), [
    ...PHP_FPM_PROCESS_KEYS,
    'memory',
    'running requests',
    'other requests',
  ]);
  // A child's second request, with its own fields.
  assert.deepEqual(processes[0]?.['other requests'], [
    {
      'request duration': 700,
      'request method': 'POST',
      'request uri': '/upload.mjs?id=7',
      'content length': 2048,
      user: 'bob',
      script: '/srv/upload.mjs',
    },
  ]);
  assert.deepEqual(processes[1]?.['other requests'], []);
  assert.equal(processes[1]?.['request uri'], '/app.mjs?a=b"c<&>'); // php-fpm bug64539: quotes escaped
  assert.equal(processes[1]?.['last request cpu'], 12.35);
  assert.equal(processes[0]?.['memory'], 41_943_040);
});

void test('json: any pool name or path still yields valid JSON (php-fpm inserts them raw)', () => {
  const nasty = {
    ...SNAPSHOT,
    pool: 'we"ird\\pool\n',
    processes: [{ ...SNAPSHOT.processes[1]!, script: '/a"b\\c\u0001.mjs' }],
  };
  const parsed = JSON.parse(renderStatus(nasty, { format: 'json', full: true }).body) as {
    pool: string;
    processes: { script: string }[];
  };
  assert.equal(parsed.pool, nasty.pool);
  assert.equal(parsed.processes[0]?.script, '/a"b\\c\u0001.mjs');
});

void test('openmetrics: a Prometheus text-format parser reads every php-fpm metric with its type', () => {
  const body = render('openmetrics').body;
  assert.ok(body.endsWith('# EOF\n'));
  const families = parsePrometheus(body);
  const byName = new Map(families.map((f) => [f.name, f]));
  const expected: [string, string, number][] = [
    ['phpfpm_up', 'GAUGE', 1],
    ['phpfpm_start_since', 'COUNTER', 62],
    ['phpfpm_accepted_connections', 'COUNTER', 190],
    ['phpfpm_listen_queue', 'GAUGE', 0],
    ['phpfpm_max_listen_queue', 'COUNTER', 3],
    ['phpfpm_listen_queue_length', 'GAUGE', 511],
    ['phpfpm_idle_processes', 'GAUGE', 1],
    ['phpfpm_active_processes', 'GAUGE', 1],
    ['phpfpm_total_processes', 'GAUGE', 2],
    ['phpfpm_max_active_processes', 'COUNTER', 2],
    ['phpfpm_max_children_reached', 'COUNTER', 1],
    ['phpfpm_slow_requests', 'COUNTER', 4],
    ['phpfpm_memory_peak', 'GAUGE', 52_428_800],
    ['phpfpm_max_children', 'GAUGE', 5],
  ];
  assert.deepEqual(
    families.map((f) => f.name),
    expected.map(([name]) => name),
  );
  for (const [name, type, value] of expected) {
    const family = byName.get(name);
    assert.equal(family?.type, type, name);
    assert.equal(Number(family?.metrics[0]?.value), value, name);
  }
});

void test('xml and html escape every inserted string', () => {
  const weird = { ...SNAPSHOT, pool: 'a<b>&"c' };
  assert.match(renderStatus(weird, { format: 'xml', full: false }).body, /<pool>a&lt;b&gt;&amp;&quot;c<\/pool>/);
  assert.match(
    renderStatus(weird, { format: 'html', full: false }).body,
    /<tr><th>pool<\/th><td>a&lt;b&gt;&amp;&quot;c<\/td><\/tr>/,
  );
});

void test('query flags: html > xml > json > openmetrics > text; full; refresh; dashboard', () => {
  assert.deepEqual(parseStatusQuery(''), { format: 'text', full: false });
  assert.deepEqual(parseStatusQuery('full'), { format: 'text', full: true });
  assert.deepEqual(parseStatusQuery('json&full'), { format: 'json', full: true });
  assert.deepEqual(parseStatusQuery('full=1&json=0'), { format: 'json', full: true });
  assert.equal(parseStatusQuery('openmetrics&json').format, 'json');
  assert.equal(parseStatusQuery('json&xml').format, 'xml');
  assert.equal(parseStatusQuery('xml&html&json&openmetrics').format, 'html');
  assert.deepEqual(parseStatusQuery('html&refresh=5'), { format: 'html', full: false, refresh: 5 });
  assert.equal(parseStatusQuery('dashboard').format, 'dashboard');
  assert.match(
    renderStatus(SNAPSHOT, { format: 'html', full: false, refresh: 5 }).body,
    /<meta http-equiv="refresh" content="5" \/>/,
  );
});

void test('dashboard: one self-contained page (no external URL) that polls ?json&full', () => {
  const page = render('dashboard');
  assert.equal(page.contentType, 'text/html; charset=utf-8');
  assert.ok(!/(src|href)="https?:/.test(page.body), 'no external resources');
  assert.ok(page.body.includes("'?json&full'"));
  assert.ok(page.body.includes('<script>') && page.body.includes('<style>'));
});
