// A pool's request durations over a recent window, for the status page: the pool's running total of
// the children's duration counts (each child's slot counts its own; src/master/child-reports.ts adds
// what grew at each read, a child that is gone included), sampled once a second. A status read takes
// the total now minus the sample from about WINDOW_MS ago: requests finished in the window, their rate
// and percentiles, the same for every client.
import { copyCounts, difference, emptyCounts, type DurationCounts } from '../ipc/scoreboard-histogram.js';

export const WINDOW_MS = 10_000;
/** Samples kept: a little more than the window at one a second. */
const KEEP = 16;

export interface DurationWindowFigures {
  /** The window's real length (shorter right after the pool started). */
  readonly seconds: number;
  readonly counts: DurationCounts;
}

export class DurationWindow {
  /** Every counted request so far (status and ping pages excluded). */
  readonly total: DurationCounts = emptyCounts();
  readonly #samples: { readonly atMs: number; readonly counts: DurationCounts }[];

  /** `nowMs` on a monotonic clock (performance.now()). */
  constructor(nowMs: number) {
    this.#samples = [{ atMs: nowMs, counts: emptyCounts() }];
  }

  /** Once a second (the master's heartbeat), after the slots were read. */
  sample(nowMs: number): void {
    this.#samples.push({ atMs: nowMs, counts: copyCounts(this.total) });
    if (this.#samples.length > KEEP) this.#samples.shift();
  }

  /** The window ending now: from the newest sample at least WINDOW_MS old, else the oldest one. */
  figures(nowMs: number): DurationWindowFigures {
    let base = this.#samples[0];
    for (const s of this.#samples) if (nowMs - s.atMs >= WINDOW_MS) base = s;
    if (base === undefined) return { seconds: 0, counts: emptyCounts() };
    return { seconds: Math.max(0, (nowMs - base.atMs) / 1000), counts: difference(this.total, base.counts) };
  }
}
