// The one escaping step of every log (src/log/log-escape.ts): what it writes for each control
// character and invalid UTF-8 byte, that an error-log entry's message can never start an entry of its
// own whatever it holds, and that the writers built on it (error-log lines, worker output, access log,
// slowlog) use it.
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { compileAccessFormat, type AccessRecord } from '../../../src/log/access-format.js';
import { formatLogLine } from '../../../src/log/line-format.js';
import { cutLogText, escapeLogBytes, escapeLogText } from '../../../src/log/log-escape.js';
import { decoratedWorkerLines, plainWorkerLines } from '../../../src/log/worker-output.js';
import { formatSlowlogBlock } from '../../../src/worker/slowlog/slowlog-format.js';

const FORGED = '\n[01-Jan-2030 00:00:00] ALERT: forged';
/** An entry as php-fpm writes one: what a log reader (or fail2ban) splits on. */
const ENTRY = /^\[\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d(\.\d+)?\] [A-Z]+: /;

void test('each control character has a visible escape; text without one is returned as is', () => {
  assert.equal(escapeLogText('GET /index.mjs?a=1&b=\\x'), 'GET /index.mjs?a=1&b=\\x');
  assert.equal(escapeLogText('a\nb\rc\td'), 'a\\nb\\rc\\td');
  assert.equal(escapeLogText('\u0000\u001b[31m\u007f'), '\\x00\\x1b[31m\\x7f');
  assert.equal(escapeLogText('\u0085\u009b'), '\\x85\\x9b', 'C1 controls (NEL, CSI)');
  assert.equal(escapeLogText('a\u2028b\u2029c'), 'a\\u{2028}b\\u{2029}c');
  assert.equal(escapeLogText('lone \ud800 and \udfff'), 'lone \\u{d800} and \\u{dfff}');
  assert.equal(escapeLogText('pair 😀 é ü 中'), 'pair 😀 é ü 中', 'printable Unicode stays');
});

void test("'layout' keeps TABs and the line breaks of indented continuation lines, and only those", () => {
  const stack = 'Error: boom\n    at f (file:///srv/a.mjs:1:7)\n\tat g';
  assert.equal(escapeLogText(stack, 'layout'), stack);
  assert.equal(escapeLogText(`Error: x${FORGED}`, 'layout'), 'Error: x\\n[01-Jan-2030 00:00:00] ALERT: forged');
  assert.equal(escapeLogText('a\r\n    at', 'layout'), 'a\\r\n    at');
  assert.equal(escapeLogText('end\n', 'layout'), 'end\\n');
});

void test('no message makes an error-log line that is not the entry itself or an indented continuation', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (message) => {
      const [first = '', ...rest] = formatLogLine('alert', message).split(/\r\n|\r|\n/);
      assert.match(first, ENTRY);
      for (const line of rest) assert.match(line, /^[ \t]/);
      // Nothing a terminal acts on survives, whatever the message held.
      // eslint-disable-next-line no-control-regex -- control characters are what is looked for
      assert.doesNotMatch(first + rest.join(''), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }),
  );
});

void test('raw bytes: valid UTF-8 decoded, each byte of an invalid sequence as \\xHH', () => {
  const bytes = (...parts: (string | number[])[]): Buffer =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
  assert.equal(escapeLogBytes(bytes('héllo 😀')), 'héllo 😀');
  assert.equal(escapeLogBytes(bytes('a', [0xff, 0xfe], 'b')), 'a\\xff\\xfeb');
  assert.equal(escapeLogBytes(bytes([0x9b], '31m')), '\\x9b31m', 'a lone continuation byte (C1 CSI in latin1)');
  assert.equal(escapeLogBytes(bytes([0xc0, 0xaf])), '\\xc0\\xaf', 'overlong');
  assert.equal(escapeLogBytes(bytes([0xed, 0xa0, 0x80])), '\\xed\\xa0\\x80', 'an encoded surrogate');
  assert.equal(escapeLogBytes(bytes([0xf4, 0x90, 0x80, 0x80])), '\\xf4\\x90\\x80\\x80', 'past U+10FFFF');
  assert.equal(escapeLogBytes(bytes([0xe2, 0x82])), '\\xe2\\x82', 'cut short');
  assert.equal(escapeLogBytes(bytes('x\u001b[2J', [0xe2, 0x82, 0xac])), 'x\\x1b[2J€');
  assert.equal(escapeLogBytes(bytes('a\tb'), 'layout'), 'a\tb');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
      const text = escapeLogBytes(Buffer.from(raw));
      assert.ok(Buffer.from(text, 'utf8').toString('utf8') === text && !/\p{Cs}/u.test(text));
      // eslint-disable-next-line no-control-regex -- control characters are what is looked for
      assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f]/);
    }),
  );
});

void test('cutting a long line never splits an escape or a surrogate pair', () => {
  assert.equal(cutLogText('abcdef', 10), 'abcdef');
  assert.equal(cutLogText('ab\\x1b', 5), 'ab');
  assert.equal(cutLogText('ab\\x1b', 6), 'ab\\x1b');
  assert.equal(cutLogText('ab\\u{2028}c', 8), 'ab');
  assert.equal(cutLogText('ab\\ncd', 3), 'ab');
  assert.equal(cutLogText('a😀b', 2), 'a');
  assert.equal(cutLogText('\\x1b', 2), '\\x', 'a piece that would be empty is cut as is');
  const escaped = escapeLogText('\u001b'.repeat(40));
  const pieces = plainWorkerLines(escaped, 7);
  assert.equal(pieces.join(''), escaped);
  for (const piece of pieces) assert.match(piece, /^(\\x1b)+$/);
});

void test('catch_workers_output: an escaped line wraps without splitting its escapes', () => {
  const line = escapeLogBytes(Buffer.from(`${'\u001b'.repeat(300)}\n`));
  const messages = decoratedWorkerLines('www', 1, 'stderr', line, '', 200);
  assert.equal(messages.map((m) => /"(.*)"$/.exec(m)?.[1] ?? '').join(''), line);
  for (const m of messages) {
    assert.match(m, /^\[pool www\] child 1 said into stderr: "(\\x1b)*(\\n)?"$/);
    assert.ok(formatLogLine('warning', m).length <= 200);
  }
});

void test('access log: every value a token prints is escaped, the format itself is not', () => {
  const record: AccessRecord = {
    params: {
      REQUEST_METHOD: 'GET',
      REQUEST_URI: '/a\r\nb',
      SCRIPT_NAME: '/a\r\nb',
      QUERY_STRING: 'q=\u001b[31m',
      HTTP_USER_AGENT: 'ua\tx\n1.2.3.4 - - [01/Jan/2030:00:00:00 +0000] "GET /forged" 200',
    },
    status: 200,
    startedAtMs: 0,
    nowMs: 0,
    durationUs: 0,
    cpuUserUs: 0,
    cpuSystemUs: 0,
    memoryBytes: 0,
    pool: 'www',
    pid: 1,
    ppid: 1,
    peer: undefined,
    responseHeaders: [['X-Echo', 'v\r\nSet-Cookie: x']],
  };
  const line = compileAccessFormat('%m\t%r%Q%q\t%{HTTP_USER_AGENT}e\t%{X-Echo}o').render(record);
  assert.equal(
    line,
    'GET\t/a\\r\\nb?q=\\x1b[31m\tua\\tx\\n1.2.3.4 - - [01/Jan/2030:00:00:00 +0000] "GET /forged" 200\tv\\r\\nSet-Cookie: x',
  );
});

void test('slowlog: the script path and the frames are escaped', () => {
  const block = formatSlowlogBlock(
    new Date(2024, 0, 15, 10, 30, 0),
    'www',
    1,
    `/srv/a${FORGED}.mjs`,
    [{ functionName: 'f\u001b', url: 'file:///srv/x%0Ay.mjs', lineNumber: 0 }],
    5,
  );
  assert.equal(
    block,
    '\n[15-Jan-2024 10:30:00]  [pool www] pid 1\n' +
      'script_filename = /srv/a\\n[01-Jan-2030 00:00:00] ALERT: forged.mjs\n' +
      '[0x0000000000000000] f\\x1b() /srv/x\\ny.mjs:1\n',
  );
});
