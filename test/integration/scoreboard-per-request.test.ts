// The scoreboard keeps one record per running request: with two requests on one child (pm static,
// max_children 1), the status page lists both with their own script, URI and duration, the slow
// warnings and slowlog blocks name each request, and request_terminate_timeout names the request
// that ran too long, not the other one. The figures of a
// finished request are measured, not sampled: a CPU-bound request shows its CPU share, durations have
// microseconds.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { fcgiRequest } from '../helpers/fcgi-client.js';
import { confTemplate, FIXTURE_SCRIPTS, staticPoolWithStatusListen } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

interface Request {
  readonly 'request duration': number;
  readonly 'request method': string;
  readonly 'request uri': string;
  readonly script: string;
}
interface Process extends Request {
  readonly pid: number;
  readonly state: string;
  readonly 'running requests': number;
  readonly 'other requests': Request[];
  readonly 'last request cpu': number;
}
interface Status {
  readonly processes: Process[];
  readonly 'window requests': number;
}

async function fullStatus(fpm: Daemon): Promise<Status> {
  const res = await fpm.request({ params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' }, query: 'json&full' });
  assert.equal(res.status, 200);
  return JSON.parse(res.body.toString()) as Status;
}

void test(
  'two requests on one child: ?full, the slow warnings and the slowlog show each with its own fields; the terminate timeout names the oldest',
  { timeout: 60_000 },
  async (t) => {
    const config = confTemplate('static-pool.conf').replace(
      '{{POOL_EXTRA}}',
      'slowlog = {{DIR}}/slow.log\nrequest_slowlog_timeout = 1s\n{{POOL_EXTRA}}',
    );
    const fpm = await startDaemon(t, {
      config,
      vars: {
        MAX_CHILDREN: '1',
        POOL_EXTRA: 'pm.status_path = /status\nrequest_terminate_timeout = 4s\ncatch_workers_output = yes',
      },
    });
    const mark = fpm.logMark;
    const hangMarker = fpm.marker('hang');
    const hanging = fpm.request({
      script: 'sleep-ignoring-abort.mjs',
      query: `ms=30000&who=hang&${hangMarker.query}`,
      timeoutMs: 30_000,
    });
    await hangMarker.started();
    // A second script that ignores its abort too (slow.mjs would end at its own terminate timeout,
    // which the child enforces): both still run when the master ends the child.
    const stuck = join(fpm.dir.path, 'stuck.mjs');
    copyFileSync(join(FIXTURE_SCRIPTS, 'sleep-ignoring-abort.mjs'), stuck);
    const slowMarker = fpm.marker('slow');
    const slow = fpm.request({ script: stuck, query: `ms=30000&who=slow&${slowMarker.query}`, timeoutMs: 30_000 });
    await slowMarker.started();

    const status = await fullStatus(fpm);
    assert.equal(status.processes.length, 1);
    const child = status.processes[0] as Process;
    // The status request itself runs there too: three requests, the oldest first.
    assert.equal(child['running requests'], 3, JSON.stringify(child));
    assert.equal(child.state, 'Running');
    assert.match(child.script, /sleep-ignoring-abort\.mjs$/);
    assert.match(child['request uri'], /^\/sleep-ignoring-abort\.mjs\?ms=30000&who=hang&marker=/);
    const others = child['other requests'];
    assert.equal(others.length, 2);
    const [second, third] = others as [Request, Request];
    assert.match(second.script, /stuck\.mjs$/);
    assert.match(second['request uri'], /^\/stuck\.mjs\?ms=30000&who=slow&marker=/);
    assert.equal(third['request uri'], '/status?json&full');
    assert.ok(
      child['request duration'] > second['request duration'] && second['request duration'] > third['request duration'],
      `each request has its own duration: ${child['request duration']} > ${second['request duration']} > ${third['request duration']} µs`,
    );

    // request_slowlog_timeout: one warning per request, each naming its own script and URI.
    for (const [script, who] of [
      ['sleep-ignoring-abort', 'hang'],
      ['stuck', 'slow'],
    ] as const) {
      await fpm.expectLog(
        new RegExp(
          `child \\d+, script '[^']*/${script}\\.mjs' \\(request: "GET /${script}\\.mjs\\?ms=30000&who=${who}&marker=[^"]*"\\) executing too slow`,
        ),
        { from: mark, timeoutMs: 10_000 },
      );
    }
    // Both still run when the oldest reaches request_terminate_timeout: the line names the oldest,
    // the next one names the other request the child takes with it.
    await fpm.expectLog(
      /\[pool www\] child \d+, script '[^']*sleep-ignoring-abort\.mjs' \(request: "GET \/sleep-ignoring-abort\.mjs\?ms=30000&who=hang&marker=[^"]*"\) execution timed out \(\d+\.\d+ sec\), terminating/,
      { from: mark, timeoutMs: 15_000 },
    );
    await fpm.expectLog(
      /child \d+: its other running requests end with it: "GET \/stuck\.mjs\?ms=30000&who=slow&marker=[^"]*"$/,
      {
        from: mark,
      },
    );
    await Promise.all(
      [hanging, slow].map((r) =>
        r.then(
          () => undefined,
          () => undefined,
        ),
      ),
    );
    assert.ok(
      !fpm.log.lines.slice(mark).some((l) => /who=slow[^"]*"\) execution timed out/.test(l)),
      'the slow request is not named as the one that timed out',
    );
    const slowLines = fpm.log.lines.slice(mark).filter((l) => l.includes('executing too slow'));
    assert.equal(slowLines.length, 2, `one warning per slow request:\n${slowLines.join('\n')}`);
    const slowlog = join(fpm.dir.path, 'slow.log');
    const blocks = await waitFor(
      () => {
        const text = existsSync(slowlog) ? readFileSync(slowlog, 'utf8') : '';
        const files = [...text.matchAll(/^script_filename = (.*)$/gm)].map((m) => basename(m[1] ?? ''));
        return files.length >= 2 ? files.sort() : undefined;
      },
      { what: 'a slowlog block per slow request' },
    );
    assert.deepEqual(blocks, ['sleep-ignoring-abort.mjs', 'stuck.mjs']);
  },
);

void test(
  'a CPU-bound request shows its CPU share; request durations have microseconds',
  { timeout: 60_000 },
  async (t) => {
    // pm.status_listen: the status comes from another pool, so the one child is idle when asked and
    // shows its last request.
    const dir = makeTempDir();
    t.after(() => dir.remove());
    const statusSocket = dir.socketPath('status.sock');
    const config = staticPoolWithStatusListen(statusSocket);
    const fpm = await startDaemon(t, { config, vars: { MAX_CHILDREN: '1' } });
    const status = async (): Promise<Process> => {
      const res = await fcgiRequest(
        { kind: 'unix', path: statusSocket },
        { params: { SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status' }, query: 'json&full' },
        5000,
      );
      return (JSON.parse(res.body.toString()) as Status).processes[0] as Process;
    };

    assert.equal((await fpm.request({ script: 'busy.mjs', query: 'ms=300' })).status, 200);
    const afterBusy = await status();
    assert.equal(afterBusy.state, 'Idle');
    // Well above 0 even on a crowded machine (where the spinning child gets only its share of a core).
    assert.ok(afterBusy['last request cpu'] > 2, `a spinning request used ${afterBusy['last request cpu']}% CPU`);
    assert.ok(afterBusy['request duration'] >= 300_000, `${afterBusy['request duration']} µs`);

    const durations: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 10; i++) {
      assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
      const p = await status();
      durations.push(p['request duration']);
      cpu.push(p['last request cpu']);
    }
    // A fast request is CPU work too: measured per request, not from a value sampled every 50 ms
    // (which gave 0.00 to nearly every fast request).
    assert.ok(cpu.filter((c) => c > 0).length >= 5, `last request cpu of fast requests: ${cpu.join(', ')}`);
    assert.ok(
      durations.some((us) => us % 1000 !== 0),
      `durations in µs, not whole milliseconds: ${durations.join(', ')}`,
    );
  },
);

void test(
  "the pool's own status and ping requests stay out of the window's request figures",
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemon(t, { vars: { MAX_CHILDREN: '2', POOL_EXTRA: 'pm.status_path = /status' } });
    for (let i = 0; i < 5; i++) {
      await fullStatus(fpm);
      assert.equal((await fpm.request({ params: { SCRIPT_NAME: '/ping', SCRIPT_FILENAME: '/ping' } })).status, 200);
    }
    assert.equal((await fullStatus(fpm))['window requests'], 0, 'status and ping polls are not load');
    for (let i = 0; i < 4; i++) assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
    assert.equal((await fullStatus(fpm))['window requests'], 4);
  },
);
