// `node dist/test/bench/memory-hog.js [--limit-mib N] [--pool-lines 'a = b;c = d']`: how far a
// runaway script's memory gets in a live tsfpm and how long it takes to stop it. One static pool of
// two children; for each hog (Buffers with the event loop turning, Buffers in a synchronous loop, JS
// arrays in a synchronous loop) one request runs while good requests (hello.mjs) go on, and the
// children's RSS is read from /proc every 10 ms. Reported: the hog child's peak RSS, the time from
// its RSS crossing --limit-mib until it is gone, who stopped it, what the hog request got, and how
// many good requests got 200. A hog nobody stops is killed by this script at 2.5 GiB or 6 s past the
// limit (the "outside watchdog"). MEMORY_HOG_LOG=1 prints the daemon's lines about it. Not part of
// `npm test`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { encodeRequest, FcgiConnection, parseResponse, type FcgiAddress } from '../helpers/fcgi-client.js';
import { FIXTURE_SCRIPTS, TSFPM_BIN } from '../helpers/paths.js';
import { isAlive, poolChildrenOf, readStatusKib } from '../helpers/proc.js';
import { Daemon } from './daemon.js';

const { values } = parseArgs({
  options: {
    'limit-mib': { type: 'string', default: '256' },
    'pool-lines': { type: 'string', default: '' },
  },
});
const MIB = 2 ** 20;
const limitBytes = Number(values['limit-mib']) * MIB;
const CAP_BYTES = 2.5 * 1024 * MIB;
const CAP_MS = 6000;

interface Hog {
  readonly name: string;
  readonly script: string;
  readonly query: string;
}
const HOGS: readonly Hog[] = [
  { name: 'Buffers, loop turns', script: 'buffer-hog.mjs', query: 'mode=async' },
  { name: 'Buffers, sync loop', script: 'buffer-hog.mjs', query: 'mode=sync' },
  { name: 'JS heap, sync loop', script: 'heap-hog.mjs', query: '' },
];

const dir = mkdtempSync(join(tmpdir(), 'tsfpm-memory-'));
const address: FcgiAddress = { kind: 'unix', path: join(dir, 'fpm.sock') };
const confFile = join(dir, 'tsfpm.conf');
writeFileSync(
  confFile,
  `[global]

[www]
listen = ${address.path}
pm = static
pm.max_children = 2
${values['pool-lines'].split(';').join('\n')}
`,
);

async function answerOf(conn: FcgiConnection): Promise<string> {
  try {
    const result = await conn.readUntilEnd(1, 30_000);
    if (!result.ended) return result.records.length === 0 ? 'closed' : 'cut';
    return String(parseResponse(result).status);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function good(): Promise<boolean> {
  const conn = await FcgiConnection.open(address, 5000);
  try {
    return (await conn.request({ scriptFilename: join(FIXTURE_SCRIPTS, 'hello.mjs') }, 10_000)).status === 200;
  } catch {
    return false;
  } finally {
    conn.destroy();
  }
}

interface Result {
  peakMib: number;
  stopMs: number | undefined;
  stoppedBy: string;
  answer: string;
  goodOk: number;
  goodAll: number;
}

async function runHog(master: number, hog: Hog): Promise<Result> {
  const before = poolChildrenOf(master);
  const conn = await FcgiConnection.open(address, 5000);
  await conn.write(encodeRequest({ scriptFilename: join(FIXTURE_SCRIPTS, hog.script), query: hog.query }));
  const answer = answerOf(conn);
  let goodOk = 0;
  let goodAll = 0;
  let done = false;
  const goodLoop = (async () => {
    while (!done) {
      goodAll++;
      if (await good()) goodOk++;
      await sleep(20);
    }
  })();
  let hogPid: number | undefined;
  let peak = 0;
  let crossedAt: number | undefined;
  let stoppedBy = 'tsfpm';
  const started = Date.now();
  for (;;) {
    await sleep(10);
    if (hogPid === undefined) {
      for (const pid of before) {
        const kib = readStatusKib(pid, 'VmRSS') ?? 0;
        if (kib * 1024 > 128 * MIB) hogPid = pid;
      }
      if (hogPid === undefined && Date.now() - started > 20_000) break;
      continue;
    }
    const hwm = (readStatusKib(hogPid, 'VmHWM') ?? 0) * 1024;
    peak = Math.max(peak, hwm);
    const rss = (readStatusKib(hogPid, 'VmRSS') ?? 0) * 1024;
    if (crossedAt === undefined && rss > limitBytes) crossedAt = Date.now();
    if (!isAlive(hogPid) || readStatusKib(hogPid, 'VmRSS') === undefined) break;
    if (rss > CAP_BYTES || (crossedAt !== undefined && Date.now() - crossedAt > CAP_MS)) {
      stoppedBy = `this script (SIGKILL at ${Math.round(rss / MIB)} MiB)`;
      process.kill(hogPid, 'SIGKILL');
    }
  }
  const goneAt = Date.now();
  const got = await answer;
  conn.destroy();
  await sleep(500);
  done = true;
  await goodLoop;
  return {
    peakMib: Math.round(peak / MIB),
    stopMs: crossedAt === undefined ? undefined : goneAt - crossedAt,
    stoppedBy: hogPid === undefined ? 'no hog child found' : stoppedBy,
    answer: got,
    goodOk,
    goodAll,
  };
}

const daemon = await Daemon.start({
  name: 'tsfpm',
  command: process.execPath,
  args: [TSFPM_BIN, '-y', confFile, '-F', '-O', '-R'],
  readyPattern: /ready to handle connections/,
  stopSignal: 'SIGQUIT',
});
try {
  await sleep(500);
  console.log(`limit ${values['limit-mib']} MiB, pool lines: ${values['pool-lines'] || '(none)'}`);
  console.log('| hog | peak RSS | limit crossed → child gone | stopped by | hog request got | good requests 200 |');
  console.log('|---|---|---|---|---|---|');
  for (const hog of HOGS) {
    const r = await runHog(daemon.pid, hog);
    console.log(
      `| ${hog.name} | ${r.peakMib} MiB | ${r.stopMs === undefined ? '-' : `${r.stopMs} ms`} | ${r.stoppedBy} | ${r.answer} | ${r.goodOk}/${r.goodAll} |`,
    );
    // The replacement child must be up before the next hog.
    for (let i = 0; i < 100 && poolChildrenOf(daemon.pid).length < 2; i++) await sleep(50);
    await sleep(500);
  }
  if (process.env['MEMORY_HOG_LOG'] === '1') {
    const lines = daemon.tail(200).split('\n');
    console.log(lines.filter((l) => /memory|heap|exited|SIGKILL|ERROR|child|DEBUG/.test(l)).join('\n'));
  }
} finally {
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
}
