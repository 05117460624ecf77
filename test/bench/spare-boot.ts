// Micro-benchmark (a script, not a test): how long a spare child takes from fork() to its 'spare-ready'
// message, and its memory once ready, started from the child bundle (dist/bundle/worker/spare.js,
// src/build/child-bundle.ts) and from tsc's unbundled modules (dist/src/worker/spare.js).
//
//   npm run build && node dist/test/bench/spare-boot.js [rounds=12]
//
// Each round forks one spare of each kind, one after the other (A, B, A, B, ...), as the master does
// (src/master/spawn-child.ts forkSpare(), src/master/spare-pool.ts: cwd /, an empty environment, a
// scoreboard slot as fd 4, then the 'practice' message with an ondemand pool), waits for 'spare-ready',
// reads Anonymous and Pss from /proc/PID/smaps_rollup, and kills it. Prints the median and the spread
// (min–max) of each kind.
import { fork } from 'node:child_process';
import { closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import type { PoolConfig } from '../../src/config/types.js';
import { createSlotFile } from '../../src/ipc/scoreboard-file.js';
import type { MasterMessage } from '../../src/ipc/messages.js';
import { planSpares } from '../../src/master/spare-fit.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const rounds = Number(process.argv[2] ?? 12);
const KINDS = {
  bundled: fileURLToPath(new URL('../../bundle/worker/spare.js', import.meta.url)),
  unbundled: fileURLToPath(new URL('../../src/worker/spare.js', import.meta.url)),
} as const;
type Kind = keyof typeof KINDS;

interface Sample {
  readonly bootMs: number;
  /** The practice request's own time, as the spare reports it (NaN: none ran). */
  readonly practiceMs: number;
  readonly anonymousKib: number;
  readonly pssKib: number;
}

function smapsKib(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 'NaN');
}

/** The pool the master would have its spares practise on: one ondemand pool (spare-fit.ts planSpares). */
function practiceModel(): PoolConfig {
  const dir = makeTempDir('tsfpm-spare-boot-');
  try {
    const file = join(dir.path, 'tsfpm.conf');
    writeFileSync(file, `[global]\n[www]\nlisten = ${dir.path}/www.sock\npm = ondemand\npm.max_children = 1\n`);
    const loaded = loadConfig({ configFile: file, isRoot: false, env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.messages));
    const model = planSpares(loaded.config, {}).model;
    if (model === undefined) throw new Error('no spare plan for an ondemand pool');
    return model;
  } finally {
    dir.remove();
  }
}
const practice: MasterMessage = { type: 'practice', pool: { ...practiceModel(), env: {} } };

async function bootOne(entry: string): Promise<Sample> {
  const slot = createSlotFile();
  const started = performance.now();
  const child = fork(entry, [], {
    cwd: '/',
    env: {},
    stdio: ['ignore', 'pipe', 'pipe', 'ipc', slot],
    execArgv: [],
    serialization: 'json',
  });
  closeSync(slot);
  child.send(practice);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  try {
    const [bootMs, practiceMs] = await new Promise<[number, number]>((resolve, reject) => {
      child.on('message', (message: { type?: string; practice?: { ms?: number } }) => {
        if (message.type === 'spare-ready') resolve([performance.now() - started, message.practice?.ms ?? NaN]);
      });
      child.on('exit', (code, signal) =>
        reject(new Error(`${entry} exited (${code ?? signal}) before ready: ${stderr}`)),
      );
    });
    const pid = child.pid ?? 0;
    return { bootMs, practiceMs, anonymousKib: smapsKib(pid, 'Anonymous'), pssKib: smapsKib(pid, 'Pss') };
  } finally {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

function describe(values: readonly number[], unit: string, digits: number): string {
  const spread = `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
  return `${median(values).toFixed(digits)} ${unit} (${spread})`;
}

const samples: Record<Kind, Sample[]> = { bundled: [], unbundled: [] };
// One of each first, not counted: the disk cache and Node's own files are warm for both kinds alike.
for (const entry of Object.values(KINDS)) await bootOne(entry);
for (let round = 0; round < rounds; round++) {
  for (const kind of Object.keys(KINDS) as Kind[]) samples[kind].push(await bootOne(KINDS[kind]));
}
process.stdout.write(`spare boot, fork → 'spare-ready', ${rounds} rounds (median, min–max)\n`);
for (const kind of Object.keys(KINDS) as Kind[]) {
  const list = samples[kind];
  process.stdout.write(
    `${kind.padEnd(10)} boot ${describe(
      list.map((s) => s.bootMs),
      'ms',
      1,
    )} (practice ${describe(
      list.map((s) => s.practiceMs),
      'ms',
      1,
    )})  Anonymous ${describe(
      list.map((s) => s.anonymousKib),
      'KiB',
      0,
    )}  Pss ${describe(
      list.map((s) => s.pssKib),
      'KiB',
      0,
    )}\n`,
  );
}
