// `tsfpm status` without --json: the page's figures in human units, every field of the page kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLocalTime } from '../../../src/client/human-units.js';
import { formatStatusTable, StatusFormatError } from '../../../src/client/status-table.js';

const START = new Date(2026, 11, 6, 9, 6, 12).getTime() / 1000;

const PAGE = {
  pool: 'www',
  'process manager': 'static',
  'start time': START,
  'start since': 3 * 3600 + 12 * 60 + 7,
  'accepted conn': 1234,
  'listen queue': 0,
  'slow requests': 1,
  'memory peak': 66 * 1024 * 1024,
  'max children': 2,
  processes: [
    {
      pid: 4242,
      state: 'Idle',
      'start time': START,
      'start since': 65,
      requests: 617,
      'request duration': 1500,
      'request method': 'GET',
      'request uri': '/hello.mjs',
      'content length': 0,
      user: '-',
      script: '/srv/www/hello.mjs',
      'last request cpu': 12.5,
      'last request memory': 70 * 1024 * 1024,
      memory: 69.3 * 1024 * 1024,
    },
    { pid: 4243, state: 'Running', 'request duration': 2_000_000, memory: 512, extra: { a: 1 } },
    {
      pid: 4244,
      state: 'Running',
      'request duration': 3_000_000,
      'request uri': '/hang.mjs',
      'other requests': [{ 'request duration': 250, 'request method': 'POST', 'request uri': '/up.mjs?id=7' }],
    },
  ],
};

test('pool figures: a local start time, an uptime, MiB; counters and strings unchanged', () => {
  const text = formatStatusTable(PAGE);
  const lines = text.split('\n');
  assert.equal(lines[0], 'pool:            www');
  assert.ok(lines.includes('process manager: static'));
  assert.ok(lines.includes('start time:      2026-12-06 09:06:12'), text);
  assert.ok(lines.includes('start since:     3h12m'), text);
  assert.ok(lines.includes('accepted conn:   1234'), text);
  assert.ok(lines.includes('memory peak:     66 MiB'), text);
  assert.ok(lines.includes('max children:    2'), text);
  assert.ok(!text.includes(String(START)), 'no epoch seconds');
});

test('process rows: durations, sizes, CPU; unknown fields as they came', () => {
  const text = formatStatusTable(PAGE);
  const table = text.slice(text.indexOf('\npid') + 1).split('\n');
  const header = table[0] ?? '';
  assert.match(header, /^pid +state +start time +start since +requests +request duration +/);
  assert.match(table[1] ?? '', /^-+ +-+ /);
  const first = table[2] ?? '';
  for (const shown of [
    '4242',
    'Idle',
    formatLocalTime(START),
    '1m5s',
    '617',
    '1.5 ms',
    '/hello.mjs',
    '0 B',
    '12.50%',
    '70 MiB',
    '69.3 MiB',
  ])
    assert.ok(first.includes(shown), `${shown} in ${first}`);
  const second = table[3] ?? '';
  assert.match(second, /^4243 +Running +.*2 s +.*512 B +\{"a":1\}$/);
  // Columns line up: each value starts where its header does.
  assert.equal(first.indexOf('617'), header.indexOf('requests'));
});

test("a child's other running requests: rows of their own under it, not a JSON column", () => {
  const text = formatStatusTable(PAGE);
  const table = text.slice(text.indexOf('\npid') + 1).split('\n');
  const header = table[0] ?? '';
  assert.ok(!header.includes('other requests'), header);
  assert.match(table[4] ?? '', /^4244 +Running +.*3 s +.*\/hang\.mjs/);
  const other = table[5] ?? '';
  assert.match(other, /^\+ +.*250 µs +POST +\/up\.mjs\?id=7/, other);
  assert.equal(other.indexOf('POST'), header.indexOf('request method'));
});

test('a page without processes has no table; a non-object is refused', () => {
  assert.equal(formatStatusTable({ pool: 'www', 'start since': 5 }), 'pool:        www\nstart since: 5 s\n');
  assert.throws(() => formatStatusTable([1, 2]), StatusFormatError);
  assert.throws(() => formatStatusTable(null), StatusFormatError);
});
