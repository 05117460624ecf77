// Numbers as a person reads them in a terminal (what `pm2 ls` users expect): durations in µs, ms, s,
// then compound units (3h12m, 2d5h), byte counts in binary units (66 MiB), times as a local date-time.
// Pure: `tsfpm status` formats the raw figures of a status page with these; `--json` keeps them raw.

const MICROS_PER_SECOND = 1_000_000;
const SECONDS_PER = { minute: 60, hour: 3600, day: 86_400 } as const;

/** One decimal at most, without a trailing `.0`: 1.5, 2, 12.3. */
function decimal(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}

/** Two units, the smaller one left out when it is zero: 3h12m, 3h, 2d5h, 12m5s. */
function compound(seconds: number): string {
  const whole = Math.floor(seconds);
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string): string =>
    `${big}${bigUnit}${small > 0 ? `${small}${smallUnit}` : ''}`;
  if (whole >= SECONDS_PER.day) {
    const days = Math.floor(whole / SECONDS_PER.day);
    return pair(days, 'd', Math.floor((whole % SECONDS_PER.day) / SECONDS_PER.hour), 'h');
  }
  if (whole >= SECONDS_PER.hour) {
    const hours = Math.floor(whole / SECONDS_PER.hour);
    return pair(hours, 'h', Math.floor((whole % SECONDS_PER.hour) / SECONDS_PER.minute), 'm');
  }
  return pair(Math.floor(whole / SECONDS_PER.minute), 'm', whole % SECONDS_PER.minute, 's');
}

/** A duration given in microseconds: `0 µs`, `999 µs`, `1.5 ms`, `2 s`, `12m5s`, `3h12m`, `2d5h`. */
export function formatDuration(micros: number): string {
  if (!Number.isFinite(micros) || micros < 0) return String(micros);
  const us = Math.round(micros);
  if (us < 1000) return `${us} µs`;
  // Rounded first, so that 999.96 ms reads `1 s` and not `1000 ms`.
  const ms = Math.round(us / 100) / 10;
  if (ms < 1000) return `${decimal(ms)} ms`;
  const s = Math.round(us / 100_000) / 10;
  if (s < SECONDS_PER.minute) return `${decimal(s)} s`;
  return compound(us / MICROS_PER_SECOND);
}

/** A duration given in whole seconds (an uptime): `0 s`, `45 s`, `12m5s`, `3h12m`, `2d5h`. */
export function formatUptime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return String(seconds);
  if (seconds < SECONDS_PER.minute) return `${Math.floor(seconds)} s`;
  return compound(seconds);
}

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** A byte count in binary units: `512 B`, `1.5 KiB`, `66 MiB`, `2.3 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  for (const unit of BYTE_UNITS) {
    value /= 1024;
    // Rounded first, so that 1023.96 KiB reads `1 MiB` and not `1024 KiB`.
    const shown = Math.round(value * 10) / 10;
    if (shown < 1024 || unit === 'TiB') return `${decimal(shown)} ${unit}`;
  }
  return String(bytes); // not reached: the loop ends on TiB
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Epoch seconds as a local date-time: `2026-12-06 09:06:12`. */
export function formatLocalTime(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds) || epochSeconds <= 0) return String(epochSeconds);
  const d = new Date(epochSeconds * 1000);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}

/** A CPU share in percent as php-fpm computes it: `12.50%`. */
export function formatPercent(percent: number): string {
  return Number.isFinite(percent) ? `${percent.toFixed(2)}%` : String(percent);
}
