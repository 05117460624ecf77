// Runs a range of fuzz cases through RecordDecoder + ServerSession in a worker thread, so that the
// test's main thread can stop it when it stops making progress (an infinite loop cannot be caught
// from inside the looping thread). Does nothing when imported outside a worker.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ProtocolError } from '../../../src/errors.js';
import { FCGI_RESPONDER } from '../../../src/fastcgi/constants.js';
import { RecordDecoder } from '../../../src/fastcgi/decoder.js';
import { ServerSession, type SessionEvent } from '../../../src/fastcgi/session.js';
import { FUZZ_MAX_PARAMS_BYTES, makeCase, type FuzzCase } from '../../helpers/fuzz-cases.js';
import { DEFAULT_VALUES } from './support.js';

export interface FuzzJob {
  readonly seed: number;
  readonly from: number;
  readonly to: number;
  /** Int32Array over a SharedArrayBuffer: slot `slot` holds the case being run, for the watchdog. */
  readonly current: SharedArrayBuffer;
  readonly slot: number;
}

export type FuzzMessage =
  | { readonly kind: 'progress'; readonly done: number }
  | {
      readonly kind: 'failure';
      readonly index: number;
      readonly caseKind: string;
      readonly problem: string;
      readonly inputHex: string;
      readonly inputLength: number;
    }
  | {
      readonly kind: 'done';
      readonly cases: number;
      readonly outcomes: Record<string, number>;
      readonly events: Record<string, number>;
      readonly maxParamsBytes: number;
      readonly rssGrowthBytes: number;
    };

/** A broken invariant: what the fuzz test exists to find. */
class Violation extends Error {}

export interface CaseResult {
  /** 'ok', or the ProtocolError code that ended the connection. */
  readonly outcome: string;
  readonly events: readonly SessionEvent['kind'][];
  readonly maxParamsBytes: number;
}

/** Runs one case like a connection would; throws Violation (or whatever escaped) on a broken rule. */
export function runCase(fuzzCase: FuzzCase): CaseResult {
  const session = new ServerSession({
    maxParamsBytes: FUZZ_MAX_PARAMS_BYTES,
    roles: new Set([FCGI_RESPONDER]),
    values: DEFAULT_VALUES,
  });
  const decoder = new RecordDecoder();
  const events: SessionEvent['kind'][] = [];
  let records = 0;
  let stdinBytes = 0;
  let maxParamsBytes = 0;
  let closed = false;
  let endPending = false;
  const onEvent = (event: SessionEvent): void => {
    events.push(event.kind);
    switch (event.kind) {
      case 'params':
        if (event.paramsBytes > FUZZ_MAX_PARAMS_BYTES) {
          throw new Violation(`params event of ${event.paramsBytes} bytes passes the ${FUZZ_MAX_PARAMS_BYTES} cap`);
        }
        maxParamsBytes = Math.max(maxParamsBytes, event.paramsBytes);
        break;
      case 'stdin':
        stdinBytes += event.data.length;
        if (event.data.length === 0) throw new Violation('an empty stdin event');
        break;
      case 'stdin-end':
      case 'abort':
        endPending = true; // the worker answers END_REQUEST and frees the connection
        break;
      case 'reply': {
        const check = new RecordDecoder();
        let replyRecords = 0;
        check.push(event.bytes, () => replyRecords++);
        if (replyRecords !== 1 || check.midRecord || event.bytes.length % 8 !== 0) {
          throw new Violation(`reply '${event.note}' is not one padded record: ${event.bytes.toString('hex')}`);
        }
        if (event.close) closed = true;
        break;
      }
      case 'begin':
        break;
    }
  };
  let outcome = 'ok';
  try {
    for (const chunk of fuzzCase.chunks) {
      if (closed) break;
      decoder.push(chunk, (record) => {
        records++;
        if (closed) return;
        session.receive(record, onEvent);
        if (endPending) {
          endPending = false;
          session.endRequest();
        }
      });
    }
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    if (!err.code.startsWith('TSFPM_ERR_FCGI_')) throw new Violation(`a ProtocolError with code ${err.code}`);
    outcome = err.code;
  }
  if (records > Math.floor(fuzzCase.bytes.length / 8)) {
    throw new Violation(`${records} records out of ${fuzzCase.bytes.length} bytes`);
  }
  if (stdinBytes > fuzzCase.bytes.length)
    throw new Violation(`${stdinBytes} stdin bytes out of ${fuzzCase.bytes.length}`);
  if (fuzzCase.kind === 'valid') {
    if (outcome !== 'ok') throw new Violation(`a well-formed stream failed with ${outcome}`);
    const begins = events.filter((e) => e === 'begin').length;
    if (begins !== fuzzCase.requests) throw new Violation(`${begins} requests began, want ${fuzzCase.requests}`);
    if (decoder.midRecord) throw new Violation('a well-formed stream ended mid-record');
  }
  return { outcome, events, maxParamsBytes };
}

function describe(err: unknown): string {
  if (err instanceof Violation) return `invariant broken: ${err.message}`;
  if (err instanceof Error) return `${err.name} escaped: ${err.stack ?? err.message}`;
  return `a non-Error escaped: ${String(err)}`;
}

function work(job: FuzzJob, port: NonNullable<typeof parentPort>): void {
  const current = new Int32Array(job.current);
  const outcomes: Record<string, number> = {};
  const events: Record<string, number> = {};
  let maxParamsBytes = 0;
  const rssAtStart = process.memoryUsage().rss;
  let rssGrowthBytes = 0;
  for (let index = job.from; index < job.to; index++) {
    Atomics.store(current, job.slot, index);
    const fuzzCase = makeCase(job.seed, index);
    let result: CaseResult;
    try {
      result = runCase(fuzzCase);
    } catch (err) {
      port.postMessage({
        kind: 'failure',
        index,
        caseKind: fuzzCase.kind,
        problem: describe(err),
        inputHex: fuzzCase.bytes.subarray(0, 2048).toString('hex'),
        inputLength: fuzzCase.bytes.length,
      } satisfies FuzzMessage);
      return;
    }
    const key = `${fuzzCase.kind}:${result.outcome}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    for (const kind of result.events) events[kind] = (events[kind] ?? 0) + 1;
    maxParamsBytes = Math.max(maxParamsBytes, result.maxParamsBytes);
    if ((index - job.from) % 1000 === 999) {
      rssGrowthBytes = Math.max(rssGrowthBytes, process.memoryUsage().rss - rssAtStart);
      port.postMessage({ kind: 'progress', done: index - job.from + 1 } satisfies FuzzMessage);
    }
  }
  rssGrowthBytes = Math.max(rssGrowthBytes, process.memoryUsage().rss - rssAtStart);
  port.postMessage({
    kind: 'done',
    cases: job.to - job.from,
    outcomes,
    events,
    maxParamsBytes,
    rssGrowthBytes,
  } satisfies FuzzMessage);
}

if (!isMainThread && parentPort !== null) work(workerData as FuzzJob, parentPort);
