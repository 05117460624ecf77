// The slowlog thread of a child (node:worker_threads). It watches the request the main thread
// published in shared memory and, once that request has run longer than request_slowlog_timeout,
// pauses the main thread through the inspector (a V8 interrupt: it works while the main thread is busy
// in a script), takes the JavaScript call stack, resumes it, and appends php-fpm's block to the
// slowlog. It never waits for the main thread's event loop, which may be the thing that is stuck.
import { Session } from 'node:inspector';
import { closeSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { formatSlowlogBlock, type StackFrame } from './slowlog-format.js';
import { SharedRequest } from './shared-request.js';

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
const shared = new SharedRequest(data.buffer);
let fd = data.fd;
let lastDumped = 0;

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
  const request = shared.read();
  if (request === undefined || request.id === lastDumped || Date.now() - request.startedAtMs < data.timeoutMs) return;
  lastDumped = request.id;
  const at = new Date();
  let frames: StackFrame[] | undefined;
  try {
    frames = await takeStack();
  } catch {
    frames = undefined;
  }
  // The request ended while we were pausing: the stack belongs to something else.
  if (shared.read()?.id !== request.id && frames !== undefined) frames = undefined;
  const block = Buffer.from(formatSlowlogBlock(at, data.pool, data.pid, request.script, frames, data.depth), 'utf8');
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
    if (shared.read() === undefined) await shared.published();
    await check().catch(() => undefined);
    await sleep(period);
  }
}
void watch();
