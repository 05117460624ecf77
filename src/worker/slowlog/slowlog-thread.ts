// The slowlog thread of a child (node:worker_threads). While the main thread runs requests it reads
// them from the child's scoreboard slot and, for each request that has run longer than
// request_slowlog_timeout, pauses the main thread through the inspector (a V8 interrupt: it works
// while the main thread is busy in a script), takes the JavaScript call stack, resumes it, and appends
// php-fpm's block to the slowlog, once per request. It never waits for the main thread's event loop,
// which may be the thing that is stuck.
//
// The main thread runs one script at a time: with several requests in flight, the stack belongs to
// whichever of them runs JavaScript at that moment. A request's block shows the stack only when the
// request is alone in the child or the stack passes through its script; otherwise `+++ dump failed`.
import { Session } from 'node:inspector';
import { closeSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { SCOREBOARD_FD } from '../../ipc/scoreboard-layout.js';
import { monotonicUs, SlotReader, type RequestRecord } from '../../ipc/scoreboard-reader.js';
import { frameFile, formatSlowlogBlock, type StackFrame } from './slowlog-format.js';
import { SharedRunning } from './shared-running.js';

export interface SlowlogThreadData {
  readonly buffer: SharedArrayBuffer;
  readonly fd: number;
  readonly pool: string;
  readonly pid: number;
  readonly timeoutMs: number;
  readonly depth: number;
}

/** How long a pause may take to land: a child idle in its event loop runs no JavaScript to stop in. */
const PAUSE_WAIT_MS = 1000;

const data = workerData as SlowlogThreadData;
const shared = new SharedRunning(data.buffer);
const slot = new SlotReader(SCOREBOARD_FD);
let fd = data.fd;
/** Request numbers already written to the slowlog (only those still in flight are kept). */
const dumped = new Set<number>();

parentPort?.on('message', (message: { type: 'fd'; fd: number }) => {
  if (message.type !== 'fd') return;
  const old = fd;
  fd = message.fd;
  if (old !== fd) closeSync(old);
});

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => (err === null ? resolve(result) : reject(err)));
  });
}

interface PausedFrame {
  readonly functionName: string;
  readonly url?: string;
  readonly location: { readonly scriptId: string; readonly lineNumber: number };
}

/** The main thread's JavaScript stack, innermost first; undefined when no JavaScript ran to pause in. */
async function takeStack(): Promise<StackFrame[] | undefined> {
  const session = new Session();
  session.connectToMainThread();
  const urls = new Map<string, string>();
  session.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) =>
    urls.set(m.params.scriptId, m.params.url),
  );
  try {
    await post(session, 'Debugger.enable');
    const paused = new Promise<PausedFrame[] | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), PAUSE_WAIT_MS);
      session.once('Debugger.paused', (m: { params: { callFrames: PausedFrame[] } }) => {
        clearTimeout(timer);
        resolve(m.params.callFrames);
      });
    });
    await post(session, 'Debugger.pause');
    const frames = await paused;
    if (frames !== undefined) await post(session, 'Debugger.resume').catch(() => undefined);
    return frames?.map((f) => ({
      functionName: f.functionName,
      url: f.url !== undefined && f.url !== '' ? f.url : (urls.get(f.location.scriptId) ?? ''),
      lineNumber: f.location.lineNumber,
    }));
  } finally {
    // Disabling the debugger also drops a pause that never landed.
    await post(session, 'Debugger.disable').catch(() => undefined);
    session.disconnect();
  }
}

async function check(): Promise<void> {
  const inFlight = slot.read().inFlight;
  const nowUs = monotonicUs();
  const numbers = new Set(inFlight.map((r) => r.number));
  for (const n of dumped) if (!numbers.has(n)) dumped.delete(n);
  const slow = inFlight.filter((r) => !dumped.has(r.number) && nowUs - r.startMonoUs >= data.timeoutMs * 1000);
  if (slow.length === 0) return;
  for (const request of slow) dumped.add(request.number);
  const at = new Date();
  let frames: StackFrame[] | undefined;
  try {
    frames = await takeStack();
  } catch {
    frames = undefined;
  }
  const after = slot.read();
  for (const request of slow) {
    const stack = stackOf(request, frames, after.inFlight, after.running);
    const block = formatSlowlogBlock(at, data.pool, data.pid, request.info.script, stack, data.depth);
    write(Buffer.from(block, 'utf8'));
  }
}

/** The stack to show for `request`, or undefined when it cannot be told to be this request's. */
function stackOf(
  request: RequestRecord,
  frames: StackFrame[] | undefined,
  after: readonly RequestRecord[],
  running: number,
): StackFrame[] | undefined {
  // The request ended while we were pausing: the stack belongs to something else.
  if (frames === undefined || !after.some((r) => r.number === request.number)) return undefined;
  if (running === 1) return frames;
  return frames.some((f) => frameFile(f.url) === request.info.script) ? frames : undefined;
}

function write(block: Buffer): void {
  let offset = 0;
  while (offset < block.length) offset += writeSync(fd, block, offset);
}

const period = Math.max(20, Math.min(100, Math.floor(data.timeoutMs / 10)));

/**
 * Checks every `period` ms while a request runs; sleeps on the shared memory while none does. A
 * pending Atomics.waitAsync does not keep a thread alive: the parentPort listener above does.
 */
async function watch(): Promise<void> {
  for (;;) {
    if (shared.get() === 0) await shared.untilRunning();
    await check().catch(() => undefined);
    await sleep(period);
  }
}
void watch();
