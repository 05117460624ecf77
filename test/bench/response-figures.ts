// The response-cost figures (pure): what one sample holds, the table of medians, and the figures paired
// round by round (a contender's 30 KB over its own hello, tsfpm over node:cluster), so that each
// comparison is made between samples taken next to each other.
import { formatSpread, spreadOf, type Spread } from './stats.js';

export const ALL_SCENARIOS = ['hello', '30k', '1m', 'io', 'html', 'express'] as const;
export type Scenario = (typeof ALL_SCENARIOS)[number];

export interface ResponseSettings {
  /** Measured wrk run per sample. */
  readonly durationS: number;
  readonly warmupS: number;
  readonly rounds: number;
  readonly connections: number;
  /** Pool children and cluster workers. */
  readonly children: number;
  readonly scenarios: readonly Scenario[];
}

export interface ResponseSample {
  readonly round: number;
  readonly scenario: Scenario;
  readonly contender: string;
  readonly requests: number;
  readonly requestsPerSec: number;
  /** CPU of the pool children or cluster workers per request, µs. */
  readonly userUs: number;
  readonly systemUs: number;
  readonly errors: number;
  /** 1-minute load average when the sample started. */
  readonly loadAverage1m: number;
}

export interface ResponseCosts {
  readonly settings: ResponseSettings;
  readonly contenders: readonly string[];
  readonly samples: readonly ResponseSample[];
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
  /** WARNING-or-worse lines the daemons logged. */
  readonly problems: readonly string[];
  /** Why the figures stop short (a daemon did not start, wrk is missing). */
  readonly failure?: string;
}

const totalUs = (s: ResponseSample): number => s.userUs + s.systemUs;

function samplesOf(r: ResponseCosts, scenario: Scenario, contender: string): ResponseSample[] {
  return r.samples.filter((s) => s.scenario === scenario && s.contender === contender);
}

/** pick(a, b) for every round that has both samples. */
function paired(
  r: ResponseCosts,
  a: { readonly scenario: Scenario; readonly contender: string },
  b: { readonly scenario: Scenario; readonly contender: string },
  pick: (a: ResponseSample, b: ResponseSample) => number,
): Spread | undefined {
  const values = samplesOf(r, a.scenario, a.contender).flatMap((sa) => {
    const sb = r.samples.find((s) => s.round === sa.round && s.scenario === b.scenario && s.contender === b.contender);
    return sb === undefined ? [] : [pick(sa, sb)];
  });
  return spreadOf(values.filter(Number.isFinite));
}

/** Total CPU per request of `scenario` minus that of hello, same contender, same round (µs). */
export function extraOverHello(r: ResponseCosts, scenario: Scenario, contender: string): Spread | undefined {
  return paired(r, { scenario, contender }, { scenario: 'hello', contender }, (a, b) => totalUs(a) - totalUs(b));
}

/** tsfpm's req/s over node:cluster's, same scenario, same round. */
export function rpsRatio(r: ResponseCosts, scenario: Scenario): Spread | undefined {
  return paired(
    r,
    { scenario, contender: 'tsfpm' },
    { scenario, contender: 'node:cluster' },
    (t, n) => t.requestsPerSec / n.requestsPerSec,
  );
}

/** node:cluster's CPU per request over tsfpm's, same scenario, same round: above 1, tsfpm spends less. */
export function cpuRatio(r: ResponseCosts, scenario: Scenario): Spread | undefined {
  return paired(
    r,
    { scenario, contender: 'tsfpm' },
    { scenario, contender: 'node:cluster' },
    (t, n) => totalUs(n) / totalUs(t),
  );
}

/** The user-space CPU per request of one contender's samples of a scenario (µs). */
export function userUsOf(r: ResponseCosts, scenario: Scenario, contender: string): Spread | undefined {
  return spreadOf(samplesOf(r, scenario, contender).map((s) => s.userUs));
}

export const RESPONSE_COLUMNS = [
  'scenario',
  'contender',
  'req/s',
  'user µs/req',
  'system µs/req',
  'total µs/req',
  'errors',
] as const;

const us = (v: number): string => v.toFixed(1);

export function responseRows(r: ResponseCosts): string[][] {
  return r.settings.scenarios.flatMap((scenario) =>
    r.contenders.map((contender) => {
      const mine = samplesOf(r, scenario, contender);
      const cell = (values: number[], format: (v: number) => string): string => {
        const s = spreadOf(values);
        return s === undefined ? '–' : formatSpread(s, format);
      };
      return [
        scenario,
        contender,
        cell(
          mine.map((s) => s.requestsPerSec),
          (v) => v.toFixed(0),
        ),
        cell(
          mine.map((s) => s.userUs),
          us,
        ),
        cell(
          mine.map((s) => s.systemUs),
          us,
        ),
        cell(mine.map(totalUs), us),
        String(mine.reduce((n, s) => n + s.errors, 0)),
      ];
    }),
  );
}

/** What the table is, the load around it, the extra CPU of the larger bodies, and any trouble. */
export function responseNotes(r: ResponseCosts): string[] {
  const s = r.settings;
  const lines = [
    `wrk -t1 -c${s.connections} -d${s.durationS}s per sample after a ${s.warmupS} s warm-up, ${s.rounds} round${s.rounds === 1 ? '' : 's'}, contenders interleaved (order turning each round); ${s.children} children / cluster workers; medians (min–max over the rounds); CPU of the pool children or cluster workers only (not nginx, wrk or the masters), from /proc/<pid>/stat in 10 ms ticks; load average at start ${r.loadAtStart}, at end ${r.loadAtEnd}`,
  ];
  if (s.scenarios.includes('hello')) {
    for (const contender of r.contenders) {
      for (const scenario of (['30k', '1m'] as const).filter((x) => s.scenarios.includes(x))) {
        const extra = extraOverHello(r, scenario, contender);
        if (extra !== undefined)
          lines.push(
            `${contender}: ${scenario} costs ${formatSpread(extra, us)} µs of CPU more than hello (paired by round)`,
          );
      }
    }
  }
  if (r.failure !== undefined) lines.push(`failed: ${r.failure.split('\n')[0] ?? ''}`);
  lines.push(...r.problems);
  return lines;
}
