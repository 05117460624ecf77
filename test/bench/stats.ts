// Medians and spreads of a bench's samples.

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The median of several samples with their smallest and largest, or undefined when there is none. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export function spreadOf(values: readonly number[]): Spread | undefined {
  const m = median(values);
  if (m === undefined) return undefined;
  return { median: m, min: Math.min(...values), max: Math.max(...values), count: values.length };
}

/** `24.5 (21.5–27.0)`: the median, then the min–max when there are several samples. */
export function formatSpread(s: Spread, format: (v: number) => string): string {
  if (s.count === 1) return format(s.median);
  // An en dash after a minus sign reads badly: `−12.9 to 25.0`.
  return `${format(s.median)} (${format(s.min)}${s.min < 0 ? ' to ' : '–'}${format(s.max)})`;
}
