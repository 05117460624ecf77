// Fuzz: 100 000 seeded cases (random bytes, random records, well-formed conversations, and damaged ones:
// flipped bytes, truncation, duplicated/dropped/swapped records, random chunking) through RecordDecoder
// + ServerSession. Only a ProtocolError may escape; no case may hang; PARAMS never pass their cap; memory
// stays bounded. Replay one case: TSFPM_FUZZ_SEED=<seed> TSFPM_FUZZ_CASE=<index> node --test <this file>.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES } from '../../../src/errors.js';
import { FUZZ_MAX_PARAMS_BYTES, makeCase } from '../../helpers/fuzz-cases.js';
import { runCase, type FuzzJob, type FuzzMessage } from './fuzz-worker.js';

const SEED = Number(process.env['TSFPM_FUZZ_SEED'] ?? 0x5eed_2026) >>> 0;
const CASES = Number(process.env['TSFPM_FUZZ_CASES'] ?? 100_000);
const ONLY_CASE = process.env['TSFPM_FUZZ_CASE'];
/** A worker that reports nothing for this long is stuck (progress comes every 1000 cases). */
const STALL_MS = 30_000;
/** Generous: the cases themselves hold a few hundred KiB at a time. */
const MAX_RSS_GROWTH_BYTES = 384 * 1024 * 1024;

type Done = Extract<FuzzMessage, { kind: 'done' }>;

function runWorker(job: FuzzJob): Promise<Done> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    const current = new Int32Array(job.current);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const index = Atomics.load(current, job.slot);
        settle(() =>
          reject(
            new Error(
              `fuzz case ${index} made no progress for ${STALL_MS} ms (an endless loop?); ` +
                `replay: TSFPM_FUZZ_SEED=${SEED} TSFPM_FUZZ_CASE=${index}`,
            ),
          ),
        );
      }, STALL_MS);
    };
    arm();
    worker.on('message', (message: FuzzMessage) => {
      if (message.kind === 'progress') arm();
      else if (message.kind === 'done') settle(() => resolve(message));
      else {
        settle(() =>
          reject(
            new Error(
              `fuzz case ${message.index} (${message.caseKind}, ${message.inputLength} bytes): ${message.problem}\n` +
                `replay: TSFPM_FUZZ_SEED=${SEED} TSFPM_FUZZ_CASE=${message.index}\n` +
                `input (first 2048 bytes): ${message.inputHex}`,
            ),
          ),
        );
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`fuzz worker exited with ${code} before finishing`))));
  });
}

test(
  `fuzz: ${CASES} cases through decoder + session, only ProtocolErrors escape (seed ${SEED})`,
  {
    skip: ONLY_CASE !== undefined ? 'replaying one case' : false,
    timeout: 180_000,
  },
  async (t) => {
    const workers = Math.max(1, Math.min(2, availableParallelism()));
    const current = new SharedArrayBuffer(4 * workers);
    const per = Math.ceil(CASES / workers);
    const jobs: FuzzJob[] = [];
    for (let slot = 0; slot < workers; slot++) {
      jobs.push({ seed: SEED, from: slot * per, to: Math.min(CASES, (slot + 1) * per), current, slot });
    }
    const results = await Promise.all(jobs.map(runWorker));

    const outcomes: Record<string, number> = {};
    const events: Record<string, number> = {};
    for (const result of results) {
      for (const [key, n] of Object.entries(result.outcomes)) outcomes[key] = (outcomes[key] ?? 0) + n;
      for (const [key, n] of Object.entries(result.events)) events[key] = (events[key] ?? 0) + n;
      assert.ok(result.maxParamsBytes <= FUZZ_MAX_PARAMS_BYTES);
      assert.ok(
        result.rssGrowthBytes < MAX_RSS_GROWTH_BYTES,
        `rss grew by ${Math.round(result.rssGrowthBytes / 1048576)} MiB`,
      );
    }
    assert.equal(
      results.reduce((n, r) => n + r.cases, 0),
      CASES,
    );
    t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
    t.diagnostic(`events: ${JSON.stringify(events)}`);
    t.diagnostic(`rss growth (MiB): ${results.map((r) => Math.round(r.rssGrowthBytes / 1048576)).join(', ')}`);
    // The fuzzer must reach every path it is meant to test, or it has silently become weak.
    if (CASES >= 10_000) {
      const codes = new Set(Object.keys(outcomes).map((key) => key.split(':')[1]));
      for (const code of Object.keys(ERROR_CODES).filter((c) => c.startsWith('TSFPM_ERR_FCGI_'))) {
        // Not codec codes: the connection's limits and the request body's length check.
        const notCodec = ['TSFPM_ERR_FCGI_BODY_TOO_LARGE', 'TSFPM_ERR_FCGI_BODY_TRUNCATED', 'TSFPM_ERR_FCGI_TIMEOUT'];
        if (notCodec.includes(code)) continue;
        assert.ok(codes.has(code), `no case ended with ${code}: ${JSON.stringify(outcomes)}`);
      }
      assert.ok(codes.has('ok'));
      for (const kind of ['begin', 'params', 'stdin', 'stdin-end', 'abort', 'reply']) {
        assert.ok((events[kind] ?? 0) > 100, `event '${kind}' seen ${events[kind] ?? 0} times`);
      }
    }
  },
);

test('fuzz: replay one case', { skip: ONLY_CASE === undefined ? 'set TSFPM_FUZZ_CASE to replay' : false }, () => {
  const fuzzCase = makeCase(SEED, Number(ONLY_CASE));
  const result = runCase(fuzzCase);
  assert.ok(result.outcome === 'ok' || result.outcome in ERROR_CODES);
});
