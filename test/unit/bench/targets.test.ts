// The bench's targets block (test/bench/targets.ts) on fixed figures: each target is judged by its
// median against the limit, paired figures are paired by round, and a figure the run did not take says
// why instead of a verdict.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { Cell } from '../../bench/contenders.js';
import type { CellSample } from '../../bench/measure.js';
import type { ResponseCosts, ResponseSample, Scenario } from '../../bench/response-figures.js';
import type { CellSummary } from '../../bench/table.js';
import { formatSpread } from '../../bench/stats.js';
import { targetLines, targetRows, targetSummaryLines, type TargetInput, type TargetLine } from '../../bench/targets.js';

const MIB = 1024;

function sample(cell: Cell, round: number, memory: { uss: number; rss: number; master: number }): CellSample {
  return {
    cell,
    round,
    childRssKibAfterWarmup: [],
    childRssKibAfterLoad: [memory.rss * MIB, memory.rss * MIB],
    childPrivateKibAfterLoad: [memory.uss * MIB - 512, memory.uss * MIB + 512],
    masterRssKib: memory.master * MIB,
    nginxErrors: [],
    nginxErrorCount: 0,
    backendProblems: [],
    backendProblemCount: 0,
    loadAverage1m: 0.5,
  };
}

function summary(cell: Cell, cpuUsPerRequest: number): CellSummary {
  return {
    cell,
    label: cell.kind,
    samples: 1,
    failures: [],
    errors: 0,
    errorDetail: '',
    cpuUsPerRequest,
    nginxErrorCount: 0,
    nginxErrors: [],
    backendProblemCount: 0,
  };
}

const group = (children: number, keepalive: boolean) => ({ transport: 'unix' as const, keepalive, children });

/** Per scenario: [tsfpm req/s, tsfpm user µs, tsfpm system µs, cluster req/s, cluster user µs, cluster system µs]. */
type Figures = Partial<Record<Scenario, readonly [number, number, number, number, number, number]>>;

function responses(rounds: readonly Figures[]): ResponseCosts {
  const samples: ResponseSample[] = rounds.flatMap((figures, i) =>
    Object.entries(figures).flatMap(([scenario, f]) => {
      const base = { round: i + 1, scenario: scenario as Scenario, requests: 1000, errors: 0, loadAverage1m: 1 };
      return [
        { ...base, contender: 'tsfpm', requestsPerSec: f[0], userUs: f[1], systemUs: f[2] },
        { ...base, contender: 'node:cluster', requestsPerSec: f[3], userUs: f[4], systemUs: f[5] },
      ];
    }),
  );
  return {
    settings: {
      durationS: 2,
      warmupS: 1,
      rounds: rounds.length,
      connections: 16,
      children: 2,
      scenarios: ['hello', '30k', 'html', 'express'],
    },
    contenders: ['tsfpm', 'node:cluster'],
    samples,
    loadAtStart: '0.10',
    loadAtEnd: '0.20',
    problems: [],
  };
}

/** A run that meets every target. */
function goodRun(): TargetInput {
  const t2 = { kind: 'tsfpm' as const, ...group(2, false) };
  const t8 = { kind: 'tsfpm' as const, ...group(8, true) };
  return {
    samples: [
      sample(t2, 1, { uss: 10, rss: 50, master: 38 }),
      sample(t8, 1, { uss: 11, rss: 52, master: 39 }),
      sample(t2, 2, { uss: 30, rss: 90, master: 90 }),
    ],
    summaries: [
      summary({ kind: 'php-fpm', ...group(2, false) }, 30),
      summary(t2, 25),
      summary({ kind: 'php-fpm', ...group(8, true) }, 24),
      summary(t8, 24),
      // Other tsfpm rows are not held to php-fpm's CPU.
      summary({ kind: 'tsfpm-express', ...group(2, false) }, 70),
    ],
    coldStarts: [
      { backend: 'php-fpm', firstMs: [2, 3, 2], secondMs: [1, 1, 1] },
      { backend: 'tsfpm', firstMs: [12, 18, 40], secondMs: [2, 2, 2] },
    ],
    hosts: [
      {
        backend: 'tsfpm',
        pools: 20,
        ownUsers: true,
        requestMs: Array<number>(20).fill(40),
        pssKib: 250 * MIB,
        processes: 22,
      },
    ],
    responses: responses([
      {
        hello: [3000, 8, 12, 1000, 20, 25],
        '30k': [2500, 20, 15, 900, 30, 30],
        html: [1200, 150, 20, 1000, 200, 30],
        express: [900, 300, 50, 850, 320, 60],
      },
      {
        hello: [3200, 9, 11, 2000, 22, 23],
        '30k': [2600, 22, 14, 950, 31, 29],
        html: [1300, 160, 20, 1100, 210, 30],
        express: [950, 310, 50, 900, 330, 60],
      },
      {
        hello: [3100, 30, 11, 1900, 21, 24],
        '30k': [2550, 40, 14, 920, 30, 30],
        html: [1250, 155, 20, 1050, 205, 30],
        express: [920, 305, 50, 880, 325, 60],
      },
    ]),
    floor: { rssKib: 40 * MIB, privateKib: 6.3 * MIB, samples: 3 },
    skipped: {},
  };
}

function line(lines: readonly TargetLine[], figure: string): TargetLine {
  const found = lines.find((l) => l.figure.startsWith(figure));
  assert.ok(found, `no line for ${figure}: ${lines.map((l) => l.figure).join(' | ')}`);
  return found;
}

test('a run within every target meets all of them, each judged by its median', () => {
  const lines = targetLines(goodRun());
  assert.deepEqual(
    lines.filter((l) => l.verdict !== 'met').map((l) => `${l.figure}: ${l.verdict} ${l.measured}`),
    [],
  );
  assert.equal(lines.length, 15);
  // Three samples: the median decides, the spread is shown.
  assert.equal(line(lines, 'tsfpm child USS').measured, '11.0 (10.0–30.0) MiB, 3 samples');
  assert.match(line(lines, 'tsfpm child USS').note, /6\.3 MiB private/);
  assert.equal(line(lines, 'ondemand first request').measured, '18.0 (12.0–40.0) ms, 3 samples');
  assert.equal(line(lines, 'ondemand first request').note, 'php-fpm 2.0 (2.0–3.0) ms');
  assert.equal(line(lines, 'per-user host: 20').measured, '800 ms');
});

test('paired figures are paired by round: extra CPU over hello and the ratios against node:cluster', () => {
  const lines = targetLines(goodRun());
  // tsfpm 30k − hello per round: 35 − 20, 36 − 20, 54 − 41.
  assert.equal(line(lines, '30 KB body').measured, '15.0 (13.0–16.0) µs, 3 samples');
  assert.equal(line(lines, '30 KB body').note, 'node:cluster 15.0 (15.0–15.0) µs');
  // A difference can come out below zero in a noisy round: no en dash after a minus sign.
  assert.equal(formatSpread({ median: 1, min: -2, max: 3, count: 3 }, String), '1 (-2 to 3)');
  // req/s: 3.00, 1.60, 1.63 → median 1.63.
  assert.equal(line(lines, 'keepalive hello: req/s').measured, '1.63 (1.60–3.00)×, 3 samples');
  // CPU: 45/20, 45/20, 45/41.
  assert.equal(line(lines, 'keepalive hello: CPU/req').measured, '2.25 (1.10–2.25)×, 3 samples');
  assert.equal(line(lines, 'hello: user-space').measured, '9.0 (8.0–30.0) µs, 3 samples');
});

test('figures over their limits are not met, and the groups above php-fpm are listed', () => {
  const run = goodRun();
  const lines = targetLines({
    ...run,
    summaries: [...run.summaries.slice(0, 3), summary({ kind: 'tsfpm', ...group(8, true) }, 30)],
    coldStarts: [{ backend: 'tsfpm', firstMs: [25, 30, 21], secondMs: [] }],
    hosts: [{ ...(run.hosts[0] as (typeof run.hosts)[0]), requestMs: Array<number>(20).fill(60), pssKib: 301 * MIB }],
    responses: responses([{ hello: [1400, 11, 9, 1000, 20, 20], '30k': [1300, 21, 20, 900, 30, 30] }]),
  });
  const notMet = lines.filter((l) => l.verdict === 'not met').map((l) => l.figure);
  assert.deepEqual(notMet, [
    'ondemand first request through nginx (tsfpm)',
    'per-user host: 20 ondemand pools, one request each, all answered in',
    'per-user host: master + children PSS after',
    '30 KB body: extra CPU/req over hello (tsfpm children)',
    'keepalive hello: req/s, tsfpm ÷ node:cluster',
    'hello: user-space CPU/req (tsfpm children)',
    'main table: nginx → tsfpm CPU/req ≤ php-fpm’s',
  ]);
  const cpu = line(lines, 'main table');
  assert.equal(cpu.measured, '1 of 2 groups; tsfpm ÷ php-fpm 1.04 (0.83–1.25)×');
  assert.equal(cpu.note, 'above php-fpm: unix keepalive on 8 children 30 vs 24 µs');
  // No html or express samples in this run: said so, not judged.
  assert.equal(line(lines, 'HTML page: req/s').why, 'no html samples');
});

test('a figure the run did not take says why, and the summary counts it', () => {
  const { responses: _measured, ...run } = goodRun();
  const input: TargetInput = {
    ...run,
    coldStarts: [],
    hosts: [],
    summaries: [],
    skipped: { costs: '--costs=off', spawn: '--spawn=off', responses: '--responses=off', phpFpm: 'php-fpm not found' },
  };
  const lines = targetLines(input);
  const why = (figure: string): string | undefined => line(lines, figure).why;
  assert.equal(why('ondemand first request'), '--costs=off');
  assert.equal(why('per-user host: 20'), '--spawn=off');
  assert.equal(why('per-user host: master'), '--spawn=off');
  assert.equal(why('keepalive hello: req/s'), '--responses=off');
  assert.equal(why('main table'), 'php-fpm not found');
  assert.deepEqual(targetRows([line(lines, 'per-user host: 20')])[0]?.slice(1, 4), [
    '–',
    '≤ 1 s',
    'not measured (--spawn=off)',
  ]);
  assert.match(targetSummaryLines(lines, input)[0] ?? '', /^3 of 15 targets met, 0 not met, 12 not measured/);
});

test('a measurement that failed is not measured, with its first line as the reason', () => {
  const run = goodRun();
  const lines = targetLines({
    ...run,
    hosts: [{ backend: 'tsfpm', pools: 20, ownUsers: true, requestMs: [40], failure: 'site2.sock answered 503\nmore' }],
    responses: { ...(run.responses as ResponseCosts), samples: [], failure: 'nginx did not start\nlog' },
  });
  assert.equal(line(lines, 'per-user host: 20').why, 'failed: site2.sock answered 503');
  assert.equal(line(lines, 'hello: user-space').why, 'failed: nginx did not start');
});
