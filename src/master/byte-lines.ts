// Newline-delimited output of a child's pipe as raw bytes (the log escapes invalid UTF-8 byte by
// byte, so nothing is decoded here): whole lines as they complete, the unfinished last one when the
// pipe closes. A line longer than MAX_LINE_BYTES is passed on in pieces of that size, so that a child
// writing without newlines cannot grow the master's memory.
import type { Readable } from 'node:stream';

export const MAX_LINE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** Where to cut a too-long line: not inside a UTF-8 sequence (at most 3 continuation bytes back). */
function pieceEnd(line: Buffer, max: number): number {
  let end = max;
  for (let back = 0; back < 3 && end > 1 && ((line[end] ?? 0) & 0xc0) === 0x80; back++) end--;
  return end;
}

export function readByteLines(
  stream: Readable,
  onLine: (line: Buffer) => void,
  onLastPartial?: (line: Buffer) => void,
  maxLineBytes = MAX_LINE_BYTES,
): void {
  let partial: Buffer = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      onLine(partial.length === 0 ? piece : Buffer.concat([partial, piece]));
      partial = Buffer.alloc(0);
      start = newline + 1;
    }
    if (start < chunk.length)
      partial = partial.length === 0 ? chunk.subarray(start) : Buffer.concat([partial, chunk.subarray(start)]);
    while (partial.length > maxLineBytes) {
      const end = pieceEnd(partial, maxLineBytes);
      onLine(partial.subarray(0, end));
      partial = partial.subarray(end);
    }
  });
  stream.on('end', () => {
    if (partial.length > 0) onLastPartial?.(partial);
    partial = Buffer.alloc(0);
  });
  stream.on('error', () => undefined); // the child is gone; its exit is handled where it is reaped
}
