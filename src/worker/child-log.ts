// Log lines from a child go to the master, the only writer of the error log.
import type { LogLevel } from '../config/types.js';
import type { ChildMessage } from '../ipc/messages.js';
import { formatLogLine, LEVEL_RANK } from '../log/line-format.js';

let minimumRank = LEVEL_RANK.notice;

export function setChildLogLevel(level: LogLevel): void {
  minimumRank = LEVEL_RANK[level];
}

// Every IPC write is a system call, so 'end' messages wait up to BATCH_DELAY_MS and leave with the
// next message. Everything else, 'begin' included, goes at once: a script may block the event loop
// right after it starts, and the master must already know the child is busy (process managers,
// request timeouts). Under load that is one write per request, carrying the previous 'end' too.
const BATCH_DELAY_MS = 10;
let queue: ChildMessage[] = [];
let flushTimer: NodeJS.Timeout | undefined;

export function sendToMaster(message: ChildMessage): void {
  queue.push(message);
  if (message.type !== 'end') flushToMaster();
  else flushTimer ??= setTimeout(flushToMaster, BATCH_DELAY_MS);
}

export function flushToMaster(): void {
  if (flushTimer !== undefined) clearTimeout(flushTimer);
  flushTimer = undefined;
  if (queue.length === 0) return;
  const batch = queue;
  queue = [];
  if (process.connected && process.send !== undefined) {
    // A master that is gone (EPIPE) is no reason to crash a request: the child will be reaped anyway.
    process.send(batch.length === 1 ? batch[0] : { type: 'batch', messages: batch }, undefined, undefined, () => undefined);
  }
}

export function childLog(level: LogLevel, message: string): void {
  if (LEVEL_RANK[level] < minimumRank) return;
  if (process.connected) sendToMaster({ type: 'log', level, message });
  else process.stderr.write(`${formatLogLine(level, message)}\n`);
}
