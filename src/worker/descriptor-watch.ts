// A child out of file descriptors cannot accept, and cannot say so: libuv's accept, on EMFILE or
// ENFILE, gives up a spare descriptor it keeps open on /dev/null, accepts and closes every pending
// connection, and takes a spare again (src/unix/stream.c uv__emfile_trick()); the server is only told
// when that spare is gone too. Each web server connection is then dropped at once, silently. The
// connection cap keeps connections well below the limit, so what eats the reserve is something else:
// a script that leaks files, many spill files, CGI pipes. This watch counts the open descriptors
// (/proc/self/fd) on the child's once-a-second sweep, and on its own timer while they are above half
// the limit; when fewer than LOW_WATER are left it sheds connections to make room (as nginx closes
// idle keepalive connections when it runs short), logs it, and retires the child once it stays out of
// descriptors (a leak does not heal): the master starts a fresh one.
import { readdirSync } from 'node:fs';
import type { ShedReport } from './shed-report.js';

/** Fewer free descriptors than this: shed connections, and count the time out of descriptors. */
export const LOW_WATER = 16;
/** Out of descriptors on this many checks in a row (a second apart): the child retires. */
export const RETIRE_AFTER_CHECKS = 3;
const CHECK_EVERY_MS = 1000;

export interface DescriptorWatchOptions {
  /** The soft RLIMIT_NOFILE (undefined or Infinity: nothing to watch). */
  readonly limit: number | undefined;
  readonly report: ShedReport;
  /** Evicts the connection that should go first; false when there is none. */
  readonly shedOne: () => boolean;
  /** Stop accepting, finish what runs, exit (the master replaces the child). */
  readonly retire: (reason: string) => void;
  /** Open descriptors now (default: the entries of /proc/self/fd). */
  readonly countOpen?: () => number;
}

/** How many descriptors this process has open; the limit itself when even that cannot be read (EMFILE). */
function countOwnDescriptors(limit: number): number {
  try {
    return readdirSync('/proc/self/fd').length - 1; // the directory's own descriptor, closed again
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? limit : 0;
  }
}

export class DescriptorWatch {
  readonly #options: DescriptorWatchOptions;
  #lowChecks = 0;
  #timer: NodeJS.Timeout | undefined;
  #retired = false;

  constructor(options: DescriptorWatchOptions) {
    this.#options = options;
  }

  get #limit(): number | undefined {
    const limit = this.#options.limit;
    return limit !== undefined && Number.isFinite(limit) ? limit : undefined;
  }

  /** One check (the sweep calls it once a second while there are connections). */
  check(): void {
    const limit = this.#limit;
    if (limit === undefined || this.#retired) return;
    const open = (this.#options.countOpen ?? (() => countOwnDescriptors(limit)))();
    this.#watchWhileHigh(open > limit / 2);
    const free = limit - open;
    if (free >= LOW_WATER) {
      this.#lowChecks = 0;
      return;
    }
    let shed = 0;
    while (shed < LOW_WATER - free && this.#options.shedOne()) shed++;
    this.#options.report.count(
      'no-descriptors',
      ` (${open} of ${limit} open, ${shed} connections shed to make room; accept drops new connections meanwhile)`,
    );
    if (++this.#lowChecks >= RETIRE_AFTER_CHECKS) this.#retire(`out of file descriptors (${open} of ${limit} open)`);
  }

  /**
   * accept() failed with EMFILE or ENFILE and libuv had no spare descriptor left: one connection is
   * shed so that the next accept succeeds (libuv retries at once, in a loop). Without one to shed the
   * child stops accepting and retires; true when it did.
   */
  onAcceptFailed(err: Error): boolean {
    const limit = this.#limit;
    this.#options.report.count(
      'no-descriptors',
      ` (accept: ${err.message}${limit === undefined ? '' : `, limit ${limit}`})`,
    );
    if (this.#options.shedOne()) return false;
    this.#retire(`accept failed (${err.message}) with no connection to shed`);
    return true;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Its own once-a-second check while usage is high: the sweep stops when the last connection goes. */
  #watchWhileHigh(high: boolean): void {
    if (high && this.#timer === undefined) {
      this.#timer = setInterval(() => this.check(), CHECK_EVERY_MS).unref();
    } else if (!high) {
      this.stop();
    }
  }

  #retire(reason: string): void {
    if (this.#retired) return;
    this.#retired = true;
    this.stop();
    this.#options.report.flush();
    this.#options.retire(reason);
  }
}

/** accept() errors that mean "no descriptor (or kernel memory) for the new connection", not a broken socket. */
export function isOutOfDescriptors(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EMFILE' || code === 'ENFILE' || code === 'ENOBUFS' || code === 'ENOMEM';
}
