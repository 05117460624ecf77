// Everything the bench starts is registered here and torn down at the end, on Ctrl-C and on errors.
import { rmSync } from 'node:fs';
import { descendantsOf } from '../helpers/proc.js';

type Cleanup = () => Promise<void>;

const cleanups = new Map<number, { label: string; run: Cleanup }>();
/** Last-resort synchronous kills for process.on('exit'), keyed like cleanups. */
const livePids = new Map<number, number>();
const tempDirs = new Set<string>();
let nextId = 1;
let tearingDown: Promise<void> | undefined;

/** Registers an async cleanup; returns a function that unregisters it (after the caller cleaned up itself). */
export function onTeardown(label: string, run: Cleanup, pid?: number): () => void {
  const id = nextId++;
  cleanups.set(id, { label, run });
  if (pid !== undefined) livePids.set(id, pid);
  return () => {
    cleanups.delete(id);
    livePids.delete(id);
  };
}

export function registerTempDir(dir: string): void {
  tempDirs.add(dir);
}

/** Runs the cleanups newest first (nginx before the backend it talks to), then removes the temp dirs. */
export function teardownAll(): Promise<void> {
  tearingDown ??= (async () => {
    const pending = [...cleanups.entries()].reverse();
    for (const [id, { label, run }] of pending) {
      try {
        await run();
      } catch (err) {
        process.stderr.write(`bench: teardown of ${label} failed: ${String(err)}\n`);
      }
      cleanups.delete(id);
      livePids.delete(id);
    }
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  })();
  return tearingDown;
}

export function isTearingDown(): boolean {
  return tearingDown !== undefined;
}

/** Ctrl-C, SIGTERM and a crash all end in teardownAll(); 'exit' kills whatever is still alive. */
export function installTeardownHandlers(): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (tearingDown !== undefined) return;
    process.stderr.write(`\nbench: ${signal}, stopping everything the bench started…\n`);
    void teardownAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', () => {
    for (const pid of livePids.values()) {
      for (const target of [...descendantsOf(pid), pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** A bench entry's body: its error is printed and fails the process; teardownAll() runs in every case. */
export async function runBench(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await teardownAll();
  }
}
