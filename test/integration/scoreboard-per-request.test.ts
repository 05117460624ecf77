// The scoreboard keeps one record per running request: with two requests on one child (pm static,
// max_children 1), the status page lists both with their own script, URI and duration, and
// request_terminate_timeout names the request that ran too long, not the other one. The figures of a
// finished request are measured, not sampled: a CPU-bound request shows its CPU share, durations have
// microseconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { fcgiRequest } from '../helpers/fcgi-client.js';
import { confTemplate } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';

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
  'two requests on one child: ?full shows both with their own fields; the terminate timeout names the hanging one',
  { timeout: 60_000 },
  async (t) => {
    const fpm = await startDaemon(t, {
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
    const slowMarker = fpm.marker('slow');
    const slow = fpm.request({ script: 'slow.mjs', query: `ms=2500&who=slow&${slowMarker.query}`, timeoutMs: 30_000 });
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
    assert.match(second.script, /slow\.mjs$/);
    assert.match(second['request uri'], /^\/slow\.mjs\?ms=2500&who=slow&marker=/);
    assert.equal(third['request uri'], '/status?json&full');
    assert.ok(
      child['request duration'] > second['request duration'] && second['request duration'] > third['request duration'],
      `each request has its own duration: ${child['request duration']} > ${second['request duration']} > ${third['request duration']} µs`,
    );

    assert.equal((await slow).status, 200, 'the slow request finished');
    await fpm.expectLog(
      /\[pool www\] child \d+, script '[^']*sleep-ignoring-abort\.mjs' \(request: "GET \/sleep-ignoring-abort\.mjs\?ms=30000&who=hang&marker=[^"]*"\) execution timed out \(\d+\.\d+ sec\), terminating/,
      { from: mark, timeoutMs: 15_000 },
    );
    await hanging.then(
      () => undefined,
      () => undefined,
    );
    assert.ok(
      !fpm.log.lines.slice(mark).some((l) => /who=slow[^"]*"\) execution timed out/.test(l)),
      'the slow request is not named',
    );
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
    const config = confTemplate('static-pool.conf').replace(
      '{{POOL_EXTRA}}',
      `pm.status_path = /status\npm.status_listen = ${statusSocket}\n{{POOL_EXTRA}}`,
    );
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
