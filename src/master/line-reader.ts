// Newline-delimited text from a child's pipe: whole lines as they complete, and the unfinished last
// line (if any) when the pipe closes.
import type { Readable } from 'node:stream';

export function readLines(
  stream: Readable,
  onLine: (line: string) => void,
  onLastPartial?: (line: string) => void,
): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (partial !== '') onLastPartial?.(partial);
    partial = '';
  });
  stream.on('error', () => undefined); // the child is gone; its exit is handled where it is reaped
}
