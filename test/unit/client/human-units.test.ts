// `tsfpm status` shows durations, sizes and times as people read them; these are the edges of each unit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatBytes,
  formatDuration,
  formatLocalTime,
  formatPercent,
  formatUptime,
} from '../../../src/client/human-units.js';

const SECOND = 1_000_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

test('durations in microseconds: µs, ms, s, then two compound units', () => {
  const cases: [number, string][] = [
    [0, '0 µs'],
    [1, '1 µs'],
    [999, '999 µs'],
    [999.4, '999 µs'],
    [1000, '1 ms'],
    [1500, '1.5 ms'],
    [12_345, '12.3 ms'],
    [999_940, '999.9 ms'],
    [999_960, '1 s'], // rounds up into the next unit instead of reading `1000 ms`
    [2 * SECOND, '2 s'],
    [2.5 * SECOND, '2.5 s'],
    [59.94 * SECOND, '59.9 s'],
    [MINUTE, '1m'],
    [12 * MINUTE + 5 * SECOND, '12m5s'],
    [HOUR, '1h'],
    [3 * HOUR + 12 * MINUTE, '3h12m'],
    [3 * HOUR + 12 * MINUTE + 59 * SECOND, '3h12m'],
    [DAY, '1d'],
    [2 * DAY + 5 * HOUR + 30 * MINUTE, '2d5h'],
    [400 * DAY, '400d'],
  ];
  for (const [micros, text] of cases) assert.equal(formatDuration(micros), text, `${micros} µs`);
});

test('uptimes in seconds', () => {
  const cases: [number, string][] = [
    [0, '0 s'],
    [45, '45 s'],
    [60, '1m'],
    [65, '1m5s'],
    [3 * 3600 + 12 * 60, '3h12m'],
    [86_400 + 3600, '1d1h'],
    [10 * 86_400, '10d'],
  ];
  for (const [seconds, text] of cases) assert.equal(formatUptime(seconds), text, `${seconds} s`);
});

test('bytes in binary units', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1 MiB'], // 1023.999 KiB rounds into MiB
    [66 * 1024 * 1024, '66 MiB'],
    [69.3 * 1024 * 1024, '69.3 MiB'],
    [1024 ** 3, '1 GiB'],
    [2.25 * 1024 ** 3, '2.3 GiB'],
    [5 * 1024 ** 4, '5 TiB'],
  ];
  for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, `${bytes} B`);
});

test('a start time is a local date-time', () => {
  const local = new Date(2026, 11, 6, 9, 6, 12); // 6 Dec 2026 09:06:12 in this machine's time zone
  assert.equal(formatLocalTime(local.getTime() / 1000), '2026-12-06 09:06:12');
  assert.equal(formatLocalTime(new Date(2027, 0, 31, 23, 59, 5).getTime() / 1000), '2027-01-31 23:59:05');
});

test('a CPU share keeps php-fpm`s two decimals', () => {
  assert.equal(formatPercent(0), '0.00%');
  assert.equal(formatPercent(12.5), '12.50%');
});

test('values no unit fits are shown as they came', () => {
  assert.equal(formatDuration(-1), '-1');
  assert.equal(formatBytes(Number.NaN), 'NaN');
  assert.equal(formatLocalTime(0), '0');
});
