// `npm run fuzz -- --minutes N`: hammers a live tsfpm daemon with mutated FastCGI record streams (the
// generators of the unit fuzz test, test/helpers/fuzz-cases.ts) over many connections, for N
// minutes. After each batch it checks that the master is alive and that a good request still gets
// 200; it counts child crashes (an exit on a signal the master did not send, or a non-zero code) and
// internal errors in the log. Meanwhile `--slow N` (default 200) slow clients trickle request heads a
// byte a second (reconnecting when cut), so the good request also checks they pin nothing. Not part of `npm test`: it runs for minutes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeCase } from '../helpers/fuzz-cases.js';
import { fcgiRequest } from '../helpers/fcgi-client.js';
import { FIXTURE_SCRIPTS, TSFPM_BIN } from '../helpers/paths.js';
import { isAlive } from '../helpers/proc.js';
import { Crowd } from '../helpers/slow-clients.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '64' },
    batch: { type: 'string', default: '5000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    children: { type: 'string', default: '2' },
    slow: { type: 'string', default: '200' },
  },
});
const minutes = Number(values.minutes);
const concurrency = Number(values.concurrency);
const batchSize = Number(values.batch);
const seed = Number(values.seed);

/** A stream the server neither answers nor closes (a stall inside a record) is dropped after this. */
const LINGER_MS = 300;

const dir = mkdtempSync(join(tmpdir(), 'tsfpm-fuzz-'));
const socketPath = join(dir, 'fpm.sock');
const confFile = join(dir, 'tsfpm.conf');
writeFileSync(
  confFile,
  [
    '[global]',
    `error_log = ${join(dir, 'tsfpm.log')}`,
    'log_level = notice',
    '[www]',
    `listen = ${socketPath}`,
    'pm = static',
    `pm.max_children = ${values.children}`,
    'fastcgi.max_body_size = 1M',
    'request_terminate_timeout = 30s',
    '',
  ].join('\n'),
);

const stats = {
  streams: 0,
  connections: 0,
  bytes: 0,
  childCrashes: 0,
  internalErrors: 0,
  goodRequests: 0,
  goodFailures: 0,
  masterAlive: true,
};
const crashLines: string[] = [];

const daemon = spawn(process.execPath, [TSFPM_BIN, '-y', confFile, '-F', '-O', '-R'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let ready: () => void = () => undefined;
const readyPromise = new Promise<void>((resolve) => (ready = resolve));
let partial = '';
const onOutput = (text: string): void => {
  const lines = (partial + text).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (line.includes('ready to handle connections')) ready();
    const signal = /child (\d+) exited on signal \d+ \((SIG\w+)\)/.exec(line);
    const code = /child (\d+) exited with code (\d+)/.exec(line);
    // SIGQUIT/SIGTERM exits are the master's own (recycling, stop); anything else is a crash.
    if ((signal !== null && signal[2] !== 'SIGQUIT' && signal[2] !== 'SIGTERM') || (code !== null && code[2] !== '0')) {
      stats.childCrashes++;
      if (crashLines.length < 20) crashLines.push(line);
    }
    if (/uncaught exception|unhandled rejection|internal error/.test(line)) {
      stats.internalErrors++;
      if (crashLines.length < 20) crashLines.push(line);
    }
  }
};
daemon.stdout.setEncoding('utf8').on('data', onOutput);
daemon.stderr.setEncoding('utf8').on('data', onOutput);
let stopping = false;
daemon.once('exit', () => {
  if (!stopping) stats.masterAlive = false; // our own SIGQUIT at the end is not a death
});

/** One connection carrying 1–3 fuzz cases, written in the case's cuts; lingers briefly, then closes. */
function sendStreams(first: number, count: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve();
    };
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', () => undefined);
    socket.once('connect', () => {
      stats.connections++;
      for (let i = 0; i < count; i++) {
        const fuzz = makeCase(seed, first + i);
        for (const chunk of fuzz.chunks) socket.write(chunk);
        stats.streams++;
        stats.bytes += fuzz.bytes.length;
      }
      // Half of the connections end their side (the server sees EOF), the others stay open.
      if ((first & 1) === 0) socket.end();
      setTimeout(finish, LINGER_MS); // not unref'd: it may be all that keeps the loop running
    });
  });
}

async function goodRequest(): Promise<void> {
  try {
    const res = await fcgiRequest(
      { kind: 'unix', path: socketPath },
      { scriptFilename: join(FIXTURE_SCRIPTS, 'hello.mjs') },
      10_000,
    );
    if (res.status === 200) stats.goodRequests++;
    else stats.goodFailures++;
  } catch {
    stats.goodFailures++;
  }
}

function summary(): string {
  return (
    `streams sent ${stats.streams}, connections ${stats.connections}, ${(stats.bytes / 2 ** 20).toFixed(1)} MiB, ` +
    `child crashes ${stats.childCrashes}, internal errors ${stats.internalErrors}, ` +
    `good requests ${stats.goodRequests} ok / ${stats.goodFailures} failed, master alive ${stats.masterAlive ? 'yes' : 'no'}`
  );
}

async function main(): Promise<number> {
  const pid = daemon.pid;
  if (pid === undefined) throw new Error('the daemon did not start');
  await Promise.race([
    readyPromise,
    new Promise((_r, reject) => setTimeout(() => reject(new Error('daemon not ready in 20 s')), 20_000)),
  ]);
  console.log(
    `fuzzing tsfpm (master ${pid}) for ${minutes} min, seed ${seed}, ${concurrency} connections at a time, ${values.slow} slow clients`,
  );
  void slowClients.start();
  const deadline = Date.now() + minutes * 60_000;
  let next = 0;
  while (Date.now() < deadline && stats.masterAlive) {
    const batchEnd = next + batchSize;
    const lanes = Array.from({ length: concurrency }, async () => {
      while (next < batchEnd) {
        const first = next;
        const count = 1 + (first % 3);
        next += count;
        await sendStreams(first, count);
      }
    });
    await Promise.all(lanes);
    stats.masterAlive = stats.masterAlive && isAlive(pid);
    await goodRequest();
    console.log(summary());
  }
  return stats.childCrashes === 0 && stats.internalErrors === 0 && stats.goodFailures === 0 && stats.masterAlive
    ? 0
    : 1;
}

const slowClients = new Crowd({
  address: { kind: 'unix', path: socketPath },
  kind: 'trickle-head',
  connections: Number(values.slow),
  script: join(FIXTURE_SCRIPTS, 'hello.mjs'),
});
let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error(err);
} finally {
  slowClients.stop();
  if (daemon.pid !== undefined && stats.masterAlive) {
    stopping = true;
    daemon.kill('SIGQUIT');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    try {
      process.kill(-daemon.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  console.log(`\nfuzz summary: ${summary()}`);
  for (const line of crashLines) console.log(`  ${line}`);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
