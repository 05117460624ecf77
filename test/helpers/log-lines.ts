// Captured log lines with deadline-bound expectations (PHP-FPM's logreader.inc): a failed
// expectation prints every line captured so far, which is what one needs to see why.
import { DeadlineError } from './wait-for.js';

export interface LogMatch {
  readonly line: string;
  /** Index of the line in the capture; pass index + 1 as `from` to look for a later line. */
  readonly index: number;
  readonly match: RegExpExecArray;
}

export interface ExpectLogOptions {
  readonly timeoutMs?: number;
  /** Only lines at or after this index count. */
  readonly from?: number;
}

export class LogLines {
  readonly #label: string;
  readonly #lines: string[] = [];
  #partial = '';
  #waiters: (() => void)[] = [];
  #ended = false;

  constructor(label: string) {
    this.#label = label;
  }

  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Feeds raw output (any chunking); complete lines become visible. */
  push(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const line of parts) this.#lines.push(line.replace(/\r$/, ''));
    if (parts.length > 0) this.#notify();
  }

  /** The stream ended: a last unterminated line counts too. */
  end(): void {
    if (this.#partial !== '') this.#lines.push(this.#partial);
    this.#partial = '';
    this.#ended = true;
    this.#notify();
  }

  find(pattern: RegExp, from = 0): LogMatch | undefined {
    for (let index = from; index < this.#lines.length; index++) {
      const line = this.#lines[index] ?? '';
      const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(line);
      if (match !== null) return { line, index, match };
    }
    return undefined;
  }

  findAll(pattern: RegExp, from = 0): LogMatch[] {
    const out: LogMatch[] = [];
    for (let at = from; ;) {
      const found = this.find(pattern, at);
      if (found === undefined) return out;
      out.push(found);
      at = found.index + 1;
    }
  }

  /** Waits for a line matching `pattern`; on the deadline throws with every captured line. */
  async expect(pattern: RegExp, options: ExpectLogOptions = {}): Promise<LogMatch> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(pattern, options.from ?? 0);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.#ended) {
        const why = this.#ended ? 'the log ended' : `${timeoutMs} ms passed`;
        throw new DeadlineError(`expected a ${this.#label} line matching ${String(pattern)}, but ${why}${this.dump()}`);
      }
      await this.#waitForLine(left);
    }
  }

  /** Every captured line, framed, for error messages. */
  dump(): string {
    const body = this.#lines.length === 0 ? '  (no lines)' : this.#lines.map((l) => `  | ${l}`).join('\n');
    const partial = this.#partial === '' ? '' : `\n  | ${this.#partial} (unterminated)`;
    return `\n--- ${this.#label} (${this.#lines.length} lines) ---\n${body}${partial}\n--- end of ${this.#label} ---`;
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #waitForLine(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
