// Request durations in log-scale buckets: each child counts its own in its scoreboard slot, the master
// adds up what changed and answers percentiles over a recent window. Bucket 0 holds durations under
// FIRST_BOUND_US; bucket i (1 ≤ i < BUCKETS - 1) holds [FIRST_BOUND_US·√2^(i-1), FIRST_BOUND_US·√2^i);
// the last bucket holds everything longer (from ~33.6 s). A percentile is placed inside its bucket
// by geometric interpolation, so it is off by at most a factor √2 (typically far less).

export const BUCKETS = 40;
export const FIRST_BOUND_US = 64;
const RATIO = Math.SQRT2;

/** Lower bound (µs) of bucket i. */
export function bucketLowerUs(i: number): number {
  return i <= 0 ? 0 : FIRST_BOUND_US * RATIO ** (i - 1);
}

/** Upper bound (µs) of bucket i; Infinity for the last. */
export function bucketUpperUs(i: number): number {
  return i >= BUCKETS - 1 ? Infinity : FIRST_BOUND_US * RATIO ** i;
}

export function bucketOf(durationUs: number): number {
  if (!(durationUs >= FIRST_BOUND_US)) return 0;
  const i = Math.floor(Math.log(durationUs / FIRST_BOUND_US) / Math.log(RATIO)) + 1;
  // Floating point may land one bucket off at an exact bound.
  if (i < BUCKETS - 1 && durationUs >= bucketUpperUs(i)) return i + 1;
  if (i > 1 && durationUs < bucketLowerUs(i)) return i - 1;
  return Math.min(i, BUCKETS - 1);
}

/** Counts per bucket plus their exact total and summed durations. */
export interface DurationCounts {
  readonly buckets: number[];
  count: number;
  sumUs: number;
}

export function emptyCounts(): DurationCounts {
  return { buckets: new Array<number>(BUCKETS).fill(0), count: 0, sumUs: 0 };
}

/** `into += b - a` (a and b: two readings of one monotonic counter set). */
export function addDifference(into: DurationCounts, before: DurationCounts, after: DurationCounts): void {
  for (let i = 0; i < BUCKETS; i++)
    into.buckets[i] = (into.buckets[i] ?? 0) + (after.buckets[i] ?? 0) - (before.buckets[i] ?? 0);
  into.count += after.count - before.count;
  into.sumUs += after.sumUs - before.sumUs;
}

export function difference(after: DurationCounts, before: DurationCounts): DurationCounts {
  const out = emptyCounts();
  addDifference(out, before, after);
  return out;
}

export function copyCounts(c: DurationCounts): DurationCounts {
  return { buckets: [...c.buckets], count: c.count, sumUs: c.sumUs };
}

/** The q-quantile (0 < q ≤ 1) in µs, 0 without requests. */
export function percentileUs(counts: DurationCounts, q: number): number {
  const total = counts.buckets.reduce((a, b) => a + b, 0);
  if (total <= 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const n = counts.buckets[i] ?? 0;
    if (n <= 0) continue;
    if (seen + n >= rank) {
      const fraction = Math.min(1, Math.max(0, (rank - seen) / n));
      const lower = Math.max(1, bucketLowerUs(i));
      // The last bucket has no upper bound: its lower bound is all that is known.
      const upper = i === BUCKETS - 1 ? lower : bucketUpperUs(i);
      return lower * (upper / lower) ** fraction;
    }
    seen += n;
  }
  return bucketLowerUs(BUCKETS - 1);
}
