// The status page against a real daemon: kernel listen-queue figures, the slowlog with a JavaScript
// stack, and the counters under load (max children reached, slow requests,
// accepted conn).
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { daemonTest, startDaemon, type Daemon } from '../helpers/daemon.js';
import { fcgiRequest, type FcgiAddress } from '../helpers/fcgi-client.js';
import { getFreePort } from '../helpers/free-port.js';
import { confTemplate, FIXTURE_SCRIPTS } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { findTool } from '../helpers/tools.js';
import { waitFor } from '../helpers/wait-for.js';

type Status = Record<string, number | string | Record<string, number | string>[]>;
/** A scalar field of the status page, as text for a message. */
const field = (s: Status, name: string): string => JSON.stringify(s[name]);

async function status(fpm: Daemon, query = 'json'): Promise<Status> {
  const res = await fpm.request({
    params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' },
    query,
    timeoutMs: 20_000,
  });
  assert.equal(res.status, 200);
  return JSON.parse(res.body.toString('utf8')) as Status;
}

const STATUS = 'pm.status_path = /status';

// A script that blocks its child's event loop: the child cannot accept, connections queue in the kernel.
const BUSY_SCRIPT = `import { writeFileSync } from 'node:fs';
export default (request) => {
  const marker = new URL(request.url).searchParams.get('marker');
  if (marker) writeFileSync(marker, String(process.pid));
  const end = Date.now() + 3000;
  while (Date.now() < end);
  return new Response('done');
};\n`;

for (const listen of ['tcp', 'unix'] as const) {
  daemonTest(
    `listen queue (${listen}): connections waiting while the only child is busy show in 'max listen queue'`,
    { listen, vars: { MAX_CHILDREN: '1', POOL_EXTRA: STATUS } },
    async (t, fpm) => {
      if (listen === 'unix' && findTool('ss') === undefined) {
        if (process.env['CI'] === 'true') throw new Error('ss (iproute2) is missing under CI');
        t.skip('ss (Debian package iproute2) is not installed');
        return;
      }
      const script = join(fpm.dir.path, 'busy.mjs');
      writeFileSync(script, BUSY_SCRIPT);
      const marker = fpm.marker('busy');
      const busy = fpm.request({ script, query: marker.query, timeoutMs: 20_000 });
      await marker.started();
      const waiting: Socket[] = [];
      try {
        for (let i = 0; i < 5; i++) {
          waiting.push(
            fpm.address.kind === 'tcp' ? connect(fpm.address.port, fpm.address.host) : connect(fpm.address.path),
          );
        }
        for (const s of waiting) s.on('error', () => undefined);
        assert.equal((await busy).status, 200);
      } finally {
        for (const s of waiting) s.destroy();
      }
      const s = await status(fpm);
      assert.ok(Number(s['max listen queue']) >= 1, `max listen queue ${field(s, 'max listen queue')}`);
      assert.ok(Number(s['listen queue len']) > 0, `listen queue len ${field(s, 'listen queue len')} (the backlog)`);
    },
  );
}

test(
  "listen queue: a unix pool and a TCP pool both get the kernel's figures from the one `ss` run they share",
  { timeout: 60_000 },
  async (t) => {
    if (findTool('ss') === undefined) {
      if (process.env['CI'] === 'true') throw new Error('ss (iproute2) is missing under CI');
      t.skip('ss (Debian package iproute2) is not installed');
      return;
    }
    // An `ss` first in PATH that notes each run, then runs the real one.
    const bin = makeTempDir();
    t.after(() => bin.remove());
    const runs = join(bin.path, 'runs.log');
    writeFileSync(
      join(bin.path, 'ss'),
      `#!/bin/sh\necho "$(date +%s%N)" >> ${runs}\nexec ${findTool('ss') ?? 'ss'} "$@"\n`,
      { mode: 0o755 },
    );
    const port = await getFreePort();
    const site2 = `[site2]\nlisten = 127.0.0.1:${port}\nlisten.backlog = 77\npm = static\npm.max_children = 1\nsecurity.limit_extensions = .mjs\n${STATUS}\n`;
    const fpm = await startDaemon(t, {
      listen: 'unix',
      vars: { MAX_CHILDREN: '1', POOL_EXTRA: `${STATUS}\n\n${site2}` },
      env: { PATH: `${bin.path}:${process.env['PATH'] ?? '/usr/bin:/bin'}` },
    });
    const statusOf = async (address: FcgiAddress): Promise<Status> => {
      const res = await fcgiRequest(
        address,
        { params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' }, query: 'json' },
        20_000,
      );
      assert.equal(res.status, 200);
      return JSON.parse(res.body.toString('utf8')) as Status;
    };
    const tcpAddress: FcgiAddress = { kind: 'tcp', host: '127.0.0.1', port };
    // Each pool's first sample is taken on the first heartbeat after it starts.
    const [unix, tcp] = await waitFor(
      async () => {
        const both = [await statusOf(fpm.address), await statusOf(tcpAddress)];
        return both.every((s) => Number(s['listen queue len']) > 0) ? both : undefined;
      },
      { what: "both pools' listen queue len" },
    );
    assert.equal(unix?.['pool'], 'www');
    assert.equal(tcp?.['pool'], 'site2');
    assert.equal(tcp?.['listen queue len'], 77, 'the TCP pool reads its own socket (listen.backlog = 77)');
    assert.notEqual(unix?.['listen queue len'], 77, "the unix pool reads its own socket, not site2's");

    // Both pools busy for a few heartbeats: one run per heartbeat serves both, never one run per pool.
    const from = readFileSync(runs, 'utf8').split('\n').filter(Boolean).length;
    const busy = [
      fpm.request({ script: 'busy.mjs', query: 'ms=3500', timeoutMs: 20_000 }),
      fcgiRequest(tcpAddress, { scriptFilename: join(FIXTURE_SCRIPTS, 'busy.mjs'), query: 'ms=3500' }, 20_000),
    ];
    for (const res of await Promise.all(busy)) assert.equal(res.status, 200);
    const times = readFileSync(runs, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(from)
      .map((line) => Number(BigInt(line) / 1_000_000n));
    assert.ok(times.length >= 2, `ss ran ${times.length} times while both pools were busy for 3.5 s`);
    const gaps = times.slice(1).map((at, i) => at - (times[i] ?? 0));
    assert.ok(
      gaps.every((ms) => ms >= 300),
      `runs of ss ${gaps.join(', ')} ms apart: one per heartbeat, shared by both pools`,
    );
  },
);

const SLEEPY_SCRIPT = `export default function handler() {
  sleepyFunction(2500);
  return new Response('woke up\\n');
}
function sleepyFunction(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end);
}\n`;

daemonTest(
  'request_slowlog_timeout: WARNING in the log, the JavaScript stack in the slowlog, slow requests = 1, request still 200',
  {
    config: confTemplate('static-pool.conf').replace('{{POOL_EXTRA}}', 'slowlog = {{DIR}}/slow.log\n{{POOL_EXTRA}}'),
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: `${STATUS}\nrequest_slowlog_timeout = 1s\nrequest_slowlog_trace_depth = 5` },
  },
  async (_t, fpm) => {
    const script = join(fpm.dir.path, 'sleepy.mjs');
    writeFileSync(script, SLEEPY_SCRIPT);
    const res = await fpm.request({ script, timeoutMs: 20_000 });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'woke up\n');
    await fpm.expectLog(
      new RegExp(
        `WARNING: \\[pool www\\] child \\d+, script '${script.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' \\(request: "GET /sleepy\\.mjs"\\) executing too slow \\(\\d+\\.\\d{6} sec\\), logging`,
      ),
    );
    const slowlog = join(fpm.dir.path, 'slow.log');
    const text = await waitFor(
      () =>
        existsSync(slowlog) && readFileSync(slowlog, 'utf8').includes('sleepyFunction')
          ? readFileSync(slowlog, 'utf8')
          : undefined,
      {
        what: 'the slowlog block',
        onTimeout: () => (existsSync(slowlog) ? readFileSync(slowlog, 'utf8') : '(no slowlog)') + fpm.log.dump(),
      },
    );
    const lines = text.split('\n');
    assert.equal(lines[0], '');
    assert.match(lines[1] ?? '', /^\[\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d\] {2}\[pool www\] pid \d+$/);
    assert.equal(lines[2], `script_filename = ${script}`);
    assert.equal(lines[3], `[0x0000000000000000] sleepyFunction() ${script}:7`);
    assert.equal(lines[4], `[0x0000000000000001] handler() ${script}:2`);
    const frames = lines.filter((l) => l.startsWith('[0x'));
    assert.ok(frames.length <= 5, `request_slowlog_trace_depth = 5 honoured (${frames.length} frames)`);
    assert.equal((await status(fpm))['slow requests'], 1);
  },
);

daemonTest(
  "'accepted conn' equals the requests sent, status requests included",
  { vars: { MAX_CHILDREN: '2', POOL_EXTRA: STATUS } },
  async (_t, fpm) => {
    const first = await status(fpm);
    const N = 60;
    for (let batch = 0; batch < N / 10; batch++) {
      await Promise.all(Array.from({ length: 10 }, () => fpm.request({ script: 'hello.mjs' })));
    }
    // The master reads every child's slot for the status page: the count is exact at once (each status
    // request counts itself, as php-fpm's does).
    const after = await status(fpm);
    assert.equal(Number(after['accepted conn']) - Number(first['accepted conn']), N + 1);
    assert.equal(after['max children'], 2);
  },
);

const DYNAMIC_2 = confTemplate('static-pool.conf').replace(
  'pm = static\npm.max_children = {{MAX_CHILDREN}}',
  'pm = dynamic\npm.max_children = 2\npm.start_servers = 1\npm.min_spare_servers = 1\npm.max_spare_servers = 2',
);

daemonTest(
  "pm = dynamic: every child busy at pm.max_children counts in 'max children reached'; all requests answered",
  // A child blocked in the script is seen busy: its slot says so from before the script ran.
  { config: DYNAMIC_2, vars: { POOL_EXTRA: STATUS } },
  async (_t, fpm) => {
    const script = join(fpm.dir.path, 'busy.mjs');
    writeFileSync(script, BUSY_SCRIPT);
    // One at a time (libuv accepts every pending connection at once): a child blocked in the script
    // cannot accept, so the second request waits for the child the PM starts; the third finds none.
    const busy = [];
    for (let i = 0; i < 3; i++) {
      const marker = fpm.marker(`busy${i}`);
      busy.push(fpm.request({ script, query: marker.query, timeoutMs: 30_000 }));
      if (i < 2) await marker.started(15_000);
    }
    await fpm.expectLog(/WARNING: \[pool www\] server reached pm\.max_children setting \(2\), consider raising it/, {
      timeoutMs: 15_000,
    });
    for (const res of await Promise.all(busy)) assert.equal(res.status, 200);
    const s = await status(fpm);
    assert.ok(Number(s['max children reached']) >= 1);
    assert.equal(s['process manager'], 'dynamic');
  },
);

daemonTest(
  "pm = ondemand: more waiting connections than pm.max_children counts in 'max children reached'",
  {
    config: confTemplate('static-pool.conf').replace(
      'pm = static\npm.max_children = {{MAX_CHILDREN}}',
      'pm = ondemand\npm.max_children = 2\npm.process_idle_timeout = 10s',
    ),
    vars: { POOL_EXTRA: STATUS },
  },
  async (_t, fpm) => {
    const slow = Array.from({ length: 4 }, () =>
      fpm.request({ script: 'slow.mjs', query: 'ms=2000', timeoutMs: 20_000 }),
    );
    for (const res of await Promise.all(slow)) assert.equal(res.status, 200);
    const s = await status(fpm);
    assert.ok(Number(s['max children reached']) >= 1, `max children reached ${field(s, 'max children reached')}`);
    assert.equal(s['process manager'], 'ondemand');
  },
);

daemonTest(
  'every format over FastCGI: content types, HEAD gives headers only, ?openmetrics ends with # EOF',
  { vars: { POOL_EXTRA: STATUS } },
  async (_t, fpm) => {
    const get = (query: string, method = 'GET') =>
      fpm.request({ params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' }, query, method });
    const expected: [string, string][] = [
      ['', 'text/plain'],
      ['json', 'application/json'],
      ['xml', 'text/xml'],
      ['html', 'text/html'],
      ['openmetrics', 'application/openmetrics-text; version=1.0.0; charset=utf-8'],
      ['dashboard', 'text/html; charset=utf-8'],
    ];
    for (const [query, type] of expected) {
      const res = await get(query);
      assert.equal(res.headers['content-type'], type, query);
      assert.equal(res.headers['cache-control'], 'no-cache, no-store, must-revalidate, max-age=0');
      assert.ok(res.body.length > 0);
    }
    assert.ok((await get('openmetrics')).body.toString().endsWith('# EOF\n'));
    const full = JSON.parse((await get('json&full')).body.toString()) as {
      processes: { pid: number; state: string; 'request uri': string }[];
    };
    const self = full.processes.find((p) => p['request uri'] === '/status?json&full');
    assert.equal(self?.state, 'Running');
    assert.ok(fpm.liveChildren().includes(self?.pid ?? -1));
    const head = await get('json', 'HEAD');
    assert.equal(head.headers['content-type'], 'application/json');
    assert.equal(head.body.length, 0);
  },
);
