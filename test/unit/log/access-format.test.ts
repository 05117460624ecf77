// access.format compiled once and applied to a fixed request (the %-codes of php-src
// sapi/fpm/fpm/fpm_log.c fpm_log_write()); suppress_path rules.
process.env['TZ'] = 'UTC';

import assert from 'node:assert/strict';
import test from 'node:test';
import { compileAccessFormat, isSuppressed, type AccessRecord } from '../../../src/log/access-format.js';
import { strftime } from '../../../src/log/strftime.js';

const START = Date.UTC(2024, 0, 1, 10, 0, 0);
const RECORD: AccessRecord = {
  params: {
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '/x.mjs',
    SCRIPT_FILENAME: '/srv/x.mjs',
    QUERY_STRING: 'a=1',
    CONTENT_LENGTH: '',
    HTTP_HOST: 'example.test',
    HTTP_AUTHORIZATION: `Basic ${Buffer.from('bob:secret').toString('base64')}`,
  },
  status: 200,
  startedAtMs: START,
  nowMs: START + 1500,
  durationUs: 1_234_567,
  cpuUserUs: 300_000,
  cpuSystemUs: 100_000,
  memoryBytes: 5 * 1024 * 1024 + 10,
  pool: 'www',
  pid: 42,
  ppid: 7,
  peer: '127.0.0.1',
  responseHeaders: [
    ['Content-Type', 'text/plain'],
    ['X-Trace', 'abc'],
  ],
};

const render = (format: string, record: AccessRecord = RECORD): string => compileAccessFormat(format).render(record);

void test('the default format, as php-fpm writes it', () => {
  assert.equal(render('%R - %u %t "%m %r" %s'), '127.0.0.1 - bob 01/Jan/2024:10:00:00 +0000 "GET /x.mjs" 200');
  assert.equal(
    render('%R - %u %t "%m %r" %s', {
      ...RECORD,
      params: { ...RECORD.params, HTTP_AUTHORIZATION: undefined },
      peer: undefined,
    }),
    '- -  01/Jan/2024:10:00:00 +0000 "GET /x.mjs" 200',
  );
});

void test('a custom format: "%m %r%Q%q %s %{HTTP_HOST}e", and %r%Q%q without a query', () => {
  assert.equal(render('%m %r%Q%q %s %{HTTP_HOST}e'), 'GET /x.mjs?a=1 200 example.test');
  assert.equal(render('%r%Q%q', { ...RECORD, params: { ...RECORD.params, QUERY_STRING: '' } }), '/x.mjs');
});

void test('every token and modifier', () => {
  const cases: [string, string][] = [
    ['%%', '%'],
    ['%C', '32.40'],
    ['%{total}C', '32.40'],
    ['%{user}C', '24.30'],
    ['%{system}C', '8.10'],
    ['%d', '1.235'],
    ['%{seconds}d', '1.235'],
    ['%{milli}d', '1234.567'],
    ['%{milliseconds}d', '1234.567'],
    ['%{miliseconds}d', '1234.567'],
    ['%{mili}d', '1234.567'],
    ['%{micro}d', '1234567'],
    ['%{microseconds}d', '1234567'],
    ['%{NOPE}e', '-'],
    ['%f', '/srv/x.mjs'],
    ['%l', '0'],
    ['%m', 'GET'],
    ['%M', '5242890'],
    ['%{bytes}M', '5242890'],
    ['%{kilo}M', '5120'],
    ['%{kilobytes}M', '5120'],
    ['%{mega}M', '5'],
    ['%{megabytes}M', '5'],
    ['%n', 'www'],
    ['%{content-type}o', 'text/plain'],
    ['%{X-Trace}o', 'abc'],
    ['%{X-None}o', '-'],
    ['%p', '42'],
    ['%P', '7'],
    ['%q', 'a=1'],
    ['%Q', '?'],
    ['%r', '/x.mjs'],
    ['%R', '127.0.0.1'],
    ['%s', '200'],
    ['%t', '01/Jan/2024:10:00:00 +0000'],
    ['%T', '01/Jan/2024:10:00:01 +0000'],
    ['%{%Y-%m-%dT%H:%M:%S%z}t', '2024-01-01T10:00:00+0000'],
    ['%{%s}T', String(Math.floor((START + 1500) / 1000))],
    ['%u', 'bob'],
  ];
  for (const [format, expected] of cases) assert.equal(render(format), expected, format);
  assert.equal(compileAccessFormat('%{x}o').usesHeaders, true);
  assert.equal(compileAccessFormat('%C').usesCpu, true);
  assert.equal(compileAccessFormat('%R %s').usesCpu || compileAccessFormat('%R %s').usesHeaders, false);
});

void test('strftime conversions used in log formats', () => {
  const d = new Date(Date.UTC(2024, 1, 29, 13, 5, 9));
  assert.equal(
    strftime('%a %A %b %B %d %e %H %I %j %m %M %p %S %y %Y %F %T %R %D %%', d),
    'Thu Thursday Feb February 29 29 13 01 060 02 05 PM 09 24 2024 2024-02-29 13:05:09 13:05 02/29/24 %',
  );
});

void test('access.suppress_path: only successful GET/HEAD without query or body, exact %r', () => {
  const at = (over: Partial<AccessRecord['params']>, status = 200): boolean =>
    isSuppressed(['/ping'], {
      params: { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/ping', QUERY_STRING: '', ...over },
      status,
    });
  assert.equal(at({}), true);
  assert.equal(at({ REQUEST_METHOD: 'HEAD' }), true);
  assert.equal(at({ CONTENT_LENGTH: '0' }), true);
  assert.equal(at({ QUERY_STRING: 'x=1' }), false);
  assert.equal(at({ REQUEST_METHOD: 'POST' }), false);
  assert.equal(at({ CONTENT_LENGTH: '3' }), false);
  assert.equal(at({}, 404), false);
  assert.equal(at({}, 301), false);
  assert.equal(at({ SCRIPT_NAME: '/ping2' }), false);
  assert.equal(isSuppressed([], { params: { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/ping' }, status: 200 }), false);
});
