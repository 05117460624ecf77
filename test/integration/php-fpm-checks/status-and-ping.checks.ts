// php-fpm parity: the ping page and the status page in every format.
import assert from 'node:assert/strict';
import { fcgiRequest } from '../../helpers/fcgi-client.js';
import { staticPoolWithStatusListen } from '../../helpers/paths.js';
import { poolChildrenOf } from '../../helpers/proc.js';
import { waitFor } from '../../helpers/wait-for.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { check, parseTextStatus, statusRequest, withDaemon } from './support.js';

const STATUS = 'pm.status_path = /status';

/** PHP-FPM's 14 pool fields of the text page, in order (php-src sapi/fpm/fpm/fpm_status.c). */
const TEXT_FIELDS = [
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

check(
  'ping: no Status line, text/plain, Expires and Cache-Control, body exactly pong; HEAD gives the headers only',
  {},
  async (t) => {
    await withDaemon(t, {}, async (fpm) => {
      const params = { SCRIPT_NAME: '/ping', SCRIPT_FILENAME: `${fpm.dir.path}/ping`, REQUEST_URI: '/ping' };
      const res = await fpm.request({ params });
      assert.equal(res.statusLine, undefined);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.headers['expires'], 'Thu, 01 Jan 1970 00:00:00 GMT');
      assert.equal(res.headers['cache-control'], 'no-cache, no-store, must-revalidate, max-age=0');
      assert.equal(res.body.toString(), 'pong');
      const head = await fpm.request({ params, method: 'HEAD' });
      assert.equal(head.headers['content-type'], 'text/plain');
      assert.equal(head.body.length, 0);
    });
  },
);

// tsfpm difference: the text page may add fields after PHP-FPM's 14 (docs/status-and-scoreboard.md); those 14 come first.
check(
  'text status: the 14 fields in order, values at column 23, pool and pm named; accepted conn +1 per request',
  {},
  async (t) => {
    await withDaemon(t, { vars: { POOL_EXTRA: STATUS } }, async (fpm) => {
      const first = (await statusRequest(fpm)).body.toString();
      const lines = first.split('\n');
      TEXT_FIELDS.forEach((label, index) => {
        const line = lines[index] ?? '';
        assert.equal(line.slice(0, 22), `${label}:`.padEnd(22), `line ${index + 1} is '${label}' padded: '${line}'`);
        assert.notEqual(line[22] ?? ' ', ' ', `the value of '${label}' starts at column 23`);
      });
      const fields = parseTextStatus(first);
      assert.equal(fields.get('pool'), 'www');
      assert.equal(fields.get('process manager'), 'static');
      const accepted = (text: string): number => Number(parseTextStatus(text).get('accepted conn'));
      const before = accepted(first);
      assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
      // The count is exact, but a child's request reaches the master through its scoreboard reporter
      // thread (every 10 ms, src/worker/scoreboard-reporter.ts): a status asked at once can lag by it.
      // Each poll is itself a status request, so the expected figure moves with the polls.
      let polls = 0;
      const after = await waitFor(
        async () => {
          polls++;
          const value = accepted((await statusRequest(fpm)).body.toString());
          return value >= before + 1 + polls ? value : undefined;
        },
        { timeoutMs: 5000, intervalMs: 50, what: 'accepted conn to count the script request' },
      );
      assert.equal(after, before + 1 + polls, 'exactly one per request: the script request and each status request');
    });
  },
);

check(
  '?json (exact keys, integers, epoch start time), ?json&full processes, ?xml, ?html, ?openmetrics content types',
  {},
  async (t) => {
    await withDaemon(t, { vars: { POOL_EXTRA: STATUS } }, async (fpm) => {
      const json = await statusRequest(fpm, 'json');
      assert.equal(json.headers['content-type'], 'application/json');
      const body = JSON.parse(json.body.toString()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).slice(0, TEXT_FIELDS.length), TEXT_FIELDS);
      for (const key of TEXT_FIELDS.slice(2)) assert.ok(Number.isInteger(body[key]), `${key} is an integer`);
      const start = body['start time'] as number;
      assert.ok(Math.abs(start - Date.now() / 1000) < 120, 'start time is epoch seconds');
      const full = JSON.parse((await statusRequest(fpm, 'json&full')).body.toString()) as {
        processes: Record<string, unknown>[];
      };
      assert.ok(full.processes.length > 0);
      for (const proc of full.processes) {
        for (const key of ['pid', 'state', 'requests', 'request uri'])
          assert.ok(key in proc, `processes[] has '${key}'`);
        assert.match(String(proc['state']), /^(Idle|Running)$/);
      }
      for (const [query, type] of [
        ['xml', 'text/xml'],
        ['html', 'text/html'],
        ['openmetrics', 'application/openmetrics-text; version=1.0.0; charset=utf-8'],
      ] as const) {
        const res = await statusRequest(fpm, query);
        assert.equal(res.headers['content-type'], type, query);
        if (query === 'openmetrics') assert.ok(res.body.toString().endsWith('# EOF\n'));
      }
    });
  },
);

check(
  '?full (text): one block per worker with real pids; the answering one Running with request URI /status?full',
  {},
  async (t) => {
    await withDaemon(t, { vars: { MAX_CHILDREN: '2', POOL_EXTRA: STATUS } }, async (fpm) => {
      const text = (await statusRequest(fpm, 'full')).body.toString();
      const blocks = text.split(/^\*{24}$/m).slice(1);
      const pids = blocks.map((block) => Number(/^pid:\s+(\d+)$/m.exec(block)?.[1]));
      assert.deepEqual([...pids].sort(), [...poolChildrenOf(fpm.pid)].sort(), 'one block per worker, real pids');
      const self = blocks.find((block) => /^request URI:\s+\/status\?full$/m.test(block));
      assert.ok(self !== undefined, text);
      assert.match(self, /^state:\s+Running$/m);
    });
  },
);

check(
  'pm.status_listen answers while every pool worker is busy, with active processes = max_children',
  {},
  async (t) => {
    const dir = makeTempDir();
    t.after(() => dir.remove());
    const statusSocket = dir.socketPath('status.sock');
    const config = staticPoolWithStatusListen(statusSocket);
    await withDaemon(t, { config, vars: { MAX_CHILDREN: '2' } }, async (fpm) => {
      // Each worker blocks in a 5 s request (the second is sent once the first runs, so each child takes one).
      const first = fpm.request({ script: 'busy.mjs', query: 'ms=5000', timeoutMs: 30_000 });
      await fpm.expectLog(/said into stderr: "busy start in \d+"/);
      const mark = fpm.logMark;
      const second = fpm.request({ script: 'busy.mjs', query: 'ms=5000', timeoutMs: 30_000 });
      await fpm.expectLog(/said into stderr: "busy start in \d+"/, { from: mark });
      let done = false;
      void Promise.all([first, second]).then(() => (done = true));
      const res = await fcgiRequest(
        { kind: 'unix', path: statusSocket },
        { params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' }, query: 'json' },
        4000,
      );
      assert.equal(done, false, 'answered while the workers were still busy');
      const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
      assert.equal(body['active processes'], 2);
      for (const answer of await Promise.all([first, second])) assert.equal(answer.status, 200);
    });
  },
);
