// Log lines from a child go to the master, the only writer of the error log.
import type { LogLevel } from '../config/types.js';
import type { ChildMessage } from '../ipc/messages.js';
import { formatLogLine, LEVEL_RANK } from './line-format.js';

let minimumRank = LEVEL_RANK.notice;

export function setChildLogLevel(level: LogLevel): void {
  minimumRank = LEVEL_RANK[level];
}

// Scoreboard updates are positioned writes into a file the master reads (scoreboard-writer.ts), so
// the messages here are rare (ready, logs, status queries) and leave at once.
export function sendToMaster(message: ChildMessage): void {
  if (process.connected && process.send !== undefined) {
    // A master that is gone (EPIPE) is no reason to crash a request: the child will be reaped anyway.
    process.send(message, undefined, undefined, () => undefined);
  }
}

export function childLog(level: LogLevel, message: string): void {
  if (LEVEL_RANK[level] < minimumRank) return;
  if (process.connected) sendToMaster({ type: 'log', level, message });
  else process.stderr.write(`${formatLogLine(level, message)}\n`);
}
