// pm.max_memory_hard against a real daemon: a script that allocates without end, in Buffers (outside
// the V8 heap, which --max-old-space-size does not limit) or on the JS heap, with its child's event
// loop turning or stuck in a synchronous loop, is stopped while it runs: the log names the script, the
// request and the memory seen (well under twice the limit: it is read every few tens of ms, not after
// the request), the hog runs less than a second past the limit (by its own report: when its RSS
// crossed the limit, when it last ran), the offending request gets 503 or a closed connection, the
// child is replaced, and another child answers meanwhile. And a child that reaches the V8 heap limit
// is logged as such, even with catch_workers_output off.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { encodeRequest, parseResponse, type ReadResult } from '../helpers/fcgi-client.js';
import { poolChildrenOf, rssBytes } from '../helpers/proc.js';
import { waitFor } from '../helpers/wait-for.js';

const LIMIT_MIB = 256;
/**
 * The longest a hog may run past the limit: the guard samples every 25 ms near it and kills a child
 * that has not left 500 ms after it was told to; the rest is room for a loaded machine.
 */
const STOPPED_WITHIN_MS = 1000;

const config = (pm: string, { hard = `${LIMIT_MIB}M`, catchOutput = 'yes', extra = '' } = {}): string => `[global]
error_log = {{LOG}}
pid = {{PID}}
log_level = notice

[www]
listen = {{ADDR}}
${pm}
security.limit_extensions = .js .mjs
catch_workers_output = ${catchOutput}
pm.max_memory_hard = ${hard}
${extra}
`;
const STATIC = 'pm = static\npm.max_children = 2';
const ONDEMAND = 'pm = ondemand\npm.max_children = 3';

/** Starts a hog request; its answer (or the closed connection) comes later. */
async function startHog(fpm: Daemon, script: string, query: string): Promise<{ answer: Promise<ReadResult> }> {
  const conn = await fpm.connect();
  await conn.write(encodeRequest({ scriptFilename: fpm.script(script), query }));
  return { answer: conn.readUntilEnd(1, 30_000).finally(() => conn.destroy()) };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A report file for the hog (`?report=`), and its query. */
function hogReport(fpm: Daemon, query: string): { path: string; query: string } {
  const path = join(fpm.dir.path, 'hog.report');
  return { path, query: `${query}${query === '' ? '' : '&'}report=${path}` };
}

/**
 * From the hog's own report (`<ms> <rss bytes>` per allocation): how long it ran after its RSS crossed
 * the limit, until its last allocation.
 */
function msPastLimit(reportPath: string): number {
  const steps = readFileSync(reportPath, 'latin1')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ').map(Number) as [number, number]);
  const crossed = steps.find(([, rss]) => rss > LIMIT_MIB * 2 ** 20);
  assert.ok(crossed !== undefined, `the hog never reported more than ${LIMIT_MIB} MiB`);
  return (steps.at(-1)?.[0] ?? 0) - crossed[0];
}

/** The child running the hog: the first one past 96 MiB. */
function hogChild(fpm: Daemon): Promise<number> {
  return waitFor(() => poolChildrenOf(fpm.pid).find((pid) => rssBytes(pid) > 96 * 2 ** 20), {
    timeoutMs: 30_000,
    what: 'a child past 96 MiB',
  });
}

/** A good request, on another child: 200 and its pid. */
async function goodRequest(fpm: Daemon): Promise<number> {
  const res = await fpm.request({ script: 'pid.mjs' });
  assert.equal(res.status, 200, 'another child serves meanwhile');
  return Number(res.body.toString());
}

/** The stop line and the exit line of `pid`: the memory figures in both stay well under 2x the limit. */
async function expectStopped(fpm: Daemon, pid: number, script: string, request: string, mark: number) {
  const stop = await fpm.expectLog(
    new RegExp(
      `WARNING: \\[pool www\\] child ${pid}, script '[^']*/${script}' \\(request: "${request}"\\) uses (\\d+) MiB, ` +
        `more than pm\\.max_memory_hard \\(${LIMIT_MIB} MiB\\): stopping it \\(503\\) and replacing it`,
    ),
    { from: mark, timeoutMs: 30_000 },
  );
  const exit = await fpm.expectLog(
    new RegExp(
      `\\[pool www\\] child ${pid} exited on signal 9 \\(SIGKILL\\) after [\\d.]+ seconds from start: ` +
        `over pm\\.max_memory_hard \\(${LIMIT_MIB} MiB\\), (\\d+) MiB seen`,
    ),
    { from: mark, timeoutMs: 10_000 },
  );
  const seen = Number(stop.match[1]);
  const peak = Number(exit.match[1]);
  // >=: the figures are rounded to whole MiB.
  assert.ok(seen >= LIMIT_MIB && seen < 2 * LIMIT_MIB, `stopped at ${seen} MiB`);
  assert.ok(peak < 2 * LIMIT_MIB, `${peak} MiB seen before it was gone`);
  return { seen, peak };
}

/** The pool is back to `n` children, none of them `gone`. */
async function replaced(fpm: Daemon, gone: number, n: number): Promise<void> {
  await waitFor(
    () => {
      const children = poolChildrenOf(fpm.pid);
      return children.length === n && !children.includes(gone);
    },
    { timeoutMs: 10_000, what: `${n} children without ${gone}` },
  );
}

for (const hog of [
  { name: 'Buffers', script: 'buffer-hog.mjs', query: 'mode=sync' },
  { name: 'JS arrays', script: 'heap-hog.mjs', query: '' },
]) {
  void test(
    `a synchronous ${hog.name} hog is killed past pm.max_memory_hard and replaced; the other child serves`,
    {
      timeout: 90_000,
    },
    async (t) => {
      const fpm = await startDaemon(t, { config: config(STATIC) });
      try {
        const mark = fpm.logMark;
        const report = hogReport(fpm, hog.query);
        const { answer } = await startHog(fpm, hog.script, report.query);
        const pid = await hogChild(fpm);
        assert.notEqual(await goodRequest(fpm), pid);
        const uri = escapeRegExp(`GET /${hog.script}?${report.query}`);
        const figures = await expectStopped(fpm, pid, hog.script, uri, mark);
        await fpm.expectLog(new RegExp(`child ${pid} still runs \\d+ ms after it was told to stop .*sending SIGKILL`), {
          from: mark,
        });
        const result = await answer;
        assert.ok(!result.ended, 'a child stuck in a synchronous loop cannot answer: its connection closes');
        await replaced(fpm, pid, 2);
        assert.notEqual(await goodRequest(fpm), pid);
        const pastMs = msPastLimit(report.path);
        t.diagnostic(
          `stopped at ${figures.seen} MiB, ${figures.peak} MiB seen in all, ran ${pastMs} ms past the limit`,
        );
        assert.ok(pastMs < STOPPED_WITHIN_MS, `the hog ran ${pastMs} ms past the limit`);
      } catch (err) {
        throw fpm.withLog(err);
      }
    },
  );
}

void test(
  'a Buffer hog whose event loop turns gets 503, the child says which request, and leaves',
  { timeout: 90_000 },
  async (t) => {
    // ondemand: the master hands each connection to an idle child, so the good requests never reach the hog's.
    const fpm = await startDaemon(t, { config: config(ONDEMAND) });
    try {
      const mark = fpm.logMark;
      const report = hogReport(fpm, 'mode=async');
      const { answer } = await startHog(fpm, 'buffer-hog.mjs', report.query);
      const pid = await hogChild(fpm);
      assert.notEqual(await goodRequest(fpm), pid);
      const uri = escapeRegExp(`GET /buffer-hog.mjs?${report.query}`);
      const figures = await expectStopped(fpm, pid, 'buffer-hog.mjs', uri, mark);
      const response = parseResponse(await answer);
      assert.equal(response.status, 503);
      assert.equal(response.body.toString(), 'Service Unavailable\n');
      await fpm.expectLog(
        new RegExp(
          `WARNING: \\[pool www\\] child ${pid} over pm\\.max_memory_hard: script '[^']*/buffer-hog\\.mjs' ` +
            `\\(request: "${uri}"\\) answered 503`,
        ),
        { from: mark },
      );
      // It leaves on its own once the 503 is on its way; on a loaded machine that may take longer than
      // the master's grace, and then it is killed, but never before it was told to stop.
      const killed = fpm.log.find(new RegExp(`child ${pid} still runs`), mark);
      const told = fpm.log.find(new RegExp(`child ${pid}, script .* stopping it`), mark);
      if (killed !== undefined) assert.ok(told !== undefined && killed.index > told.index, killed.line);
      const after = await goodRequest(fpm);
      assert.notEqual(after, pid);
      const pastMs = msPastLimit(report.path);
      const how = killed === undefined ? 'left on its own' : 'killed after the grace';
      t.diagnostic(
        `stopped at ${figures.seen} MiB, ${figures.peak} MiB seen in all, ran ${pastMs} ms past the limit, ${how}`,
      );
      assert.ok(pastMs < STOPPED_WITHIN_MS, `the hog ran ${pastMs} ms past the limit`);
    } catch (err) {
      throw fpm.withLog(err);
    }
  },
);

void test(
  'a child serving a hog and other requests: the stop line names the hog (the longest running), not the latest',
  { timeout: 90_000 },
  async (t) => {
    // One child: the good requests run on the hog's child, while it leaks slowly.
    const fpm = await startDaemon(t, { config: config('pm = static\npm.max_children = 1') });
    try {
      const mark = fpm.logMark;
      const { answer } = await startHog(fpm, 'buffer-hog.mjs', 'pause=50');
      const pid = await hogChild(fpm);
      for (let i = 0; i < 3; i++) assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
      await expectStopped(fpm, pid, 'buffer-hog.mjs', 'GET /buffer-hog\\.mjs\\?pause=50', mark);
      assert.equal(parseResponse(await answer).status, 503);
    } catch (err) {
      throw fpm.withLog(err);
    }
  },
);

// ondemand: the child is a spare taken by the pool (process.spare_children), whose output the master
// reads from pipes it set up before it knew the pool.
for (const [label, pm] of [
  ['static', STATIC],
  ['ondemand, a spare child', ONDEMAND],
] as const) {
  void test(
    `the V8 heap limit: the exit line says so and names the request, catch_workers_output off (${label})`,
    { timeout: 60_000 },
    async (t) => {
      const fpm = await startDaemon(t, {
        config: config(pm, {
          hard: '0',
          catchOutput: 'no',
          extra: 'node.flags = --max-semi-space-size=2 --max-old-space-size=64',
        }),
      });
      try {
        const mark = fpm.logMark;
        const { answer } = await startHog(fpm, 'heap-hog.mjs', 'run=1');
        const result = await answer;
        assert.ok(!result.ended, 'the crashed child answered nothing');
        await fpm.expectLog(
          new RegExp(
            `WARNING: \\[pool www\\] child \\d+ exited on signal 6 \\(SIGABRT\\) after [\\d.]+ seconds from start: ` +
              `the JavaScript heap limit \\(--max-old-space-size\\) was reached, script '[^']*/heap-hog\\.mjs' ` +
              `\\(request: "GET /heap-hog\\.mjs\\?run=1"\\)`,
          ),
          { from: mark, timeoutMs: 30_000 },
        );
        assert.equal(fpm.log.find(/said into stderr/, mark), undefined, 'the output itself is not forwarded');
        assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
      } catch (err) {
        throw fpm.withLog(err);
      }
    },
  );
}
