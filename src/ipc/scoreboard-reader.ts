// Reading a child's scoreboard slot (the master, and the child's slowlog thread): one positioned read
// of the whole slot, then each record is checked (the same sequence number at both ends) and the
// records are checked against the newest one's list of running requests. A read that met a write in
// progress is done again.
import { readSync } from 'node:fs';
import { BUCKETS, emptyCounts, type DurationCounts } from './scoreboard-histogram.js';
import {
  F,
  RECORD_BYTES,
  RECORDS,
  SEQ_TAIL_OFFSET,
  SLOT_BYTES,
  STATE_ENDED,
  STATE_RUNNING,
  TEXT_BYTES,
  TEXT_OFFSETS,
  TEXTS,
  type RequestInfo,
} from './scoreboard-layout.js';

/** One request as its record shows it. */
export interface RequestRecord {
  readonly index: number;
  /** The child's request number. */
  readonly number: number;
  readonly running: boolean;
  readonly info: RequestInfo;
  readonly startEpochMs: number;
  readonly startMonoUs: number;
  /** Set once it ended. */
  readonly durationUs: number;
  readonly status: number;
  readonly cpuUs: number;
  readonly memoryBytes: number;
}

export interface SlotState {
  /** Sequence number of the newest record; 0: nothing written yet. */
  readonly seq: number;
  readonly requestsStarted: number;
  /** Running requests, those without a record included. */
  readonly running: number;
  readonly overflow: number;
  readonly overflowOldestMonoUs: number;
  readonly overflowOldestEpochMs: number;
  readonly rssBytes: number;
  readonly rssPeakBytes: number;
  readonly idleSinceMs: number;
  readonly durations: DurationCounts;
  /** Running requests that have a record, oldest first. */
  readonly inFlight: readonly RequestRecord[];
  /** The request that ended last, if its record was not reused since. */
  readonly last: RequestRecord | undefined;
}

export const EMPTY_SLOT: SlotState = {
  seq: 0,
  requestsStarted: 0,
  running: 0,
  overflow: 0,
  overflowOldestMonoUs: 0,
  overflowOldestEpochMs: 0,
  rssBytes: 0,
  rssPeakBytes: 0,
  idleSinceMs: 0,
  durations: emptyCounts(),
  inFlight: [],
  last: undefined,
};

/** Reads and retries this many times before giving up (a writer would have to write without pause). */
const ATTEMPTS = 8;
const decoder = new TextDecoder();

/** A torn or inconsistent read. */
class Torn extends Error {}

export class SlotReader {
  readonly #fd: number;
  readonly #bytes = Buffer.alloc(SLOT_BYTES);
  readonly #check = Buffer.alloc(SLOT_BYTES);
  readonly #numbers = new Float64Array(this.#bytes.buffer, this.#bytes.byteOffset, SLOT_BYTES / 8);
  /** Decoded records by index, kept while their sequence number is the same. */
  readonly #cache: (RequestRecord & { seq: number })[] = [];
  #last: SlotState = EMPTY_SLOT;
  /** Reads that met a write in progress (for tests and curiosity). */
  retries = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** The slot now; the previous state when it cannot be read consistently (or at all). */
  read(): SlotState {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let got: number;
      try {
        got = readSync(this.#fd, this.#bytes, 0, SLOT_BYTES, 0);
      } catch {
        return this.#last;
      }
      if (got < SLOT_BYTES) this.#bytes.fill(0, got);
      // The sequence numbers at a record's two ends catch most torn reads, but a write(2) and a read(2)
      // copy with string instructions whose stores another CPU may see out of order, so a record can
      // read as its new ends around an old middle. A second read that differs means a write was in
      // progress: read again.
      if (!this.#sameOnSecondRead(got)) {
        this.retries++;
        continue;
      }
      try {
        this.#last = this.#parse();
        return this.#last;
      } catch (err) {
        if (!(err instanceof Torn)) throw err;
        this.retries++;
      }
    }
    return this.#last;
  }

  #sameOnSecondRead(got: number): boolean {
    let again: number;
    try {
      again = readSync(this.#fd, this.#check, 0, SLOT_BYTES, 0);
    } catch {
      return false;
    }
    if (again < SLOT_BYTES) this.#check.fill(0, again);
    return again === got && this.#check.equals(this.#bytes);
  }

  #num(record: number, field: number): number {
    return this.#numbers[(record * RECORD_BYTES) / 8 + field] ?? 0;
  }

  #parse(): SlotState {
    let newest = -1;
    let newestSeq = 0;
    for (let r = 0; r < RECORDS; r++) {
      const head = this.#num(r, F.seqHead);
      if (head !== this.#num(r, SEQ_TAIL_OFFSET / 8)) throw new Torn();
      if (head > newestSeq) {
        newestSeq = head;
        newest = r;
      }
    }
    if (newest === -1) return EMPTY_SLOT;
    const s = (field: number): number => this.#num(newest, field);
    const mask = s(F.inFlightMask);
    const inFlight: RequestRecord[] = [];
    let last: (RequestRecord & { seq: number }) | undefined;
    for (let r = 0; r < RECORDS; r++) {
      const state = this.#num(r, F.state);
      const listed = Math.floor(mask / 2 ** r) % 2 === 1;
      // A record read before its last write, next to a newer one read after it.
      if (listed !== (state === STATE_RUNNING)) throw new Torn();
      if (state === STATE_RUNNING) inFlight.push(this.#record(r));
      else if (state === STATE_ENDED) {
        const record = this.#record(r);
        if (last === undefined || record.seq > last.seq) last = record;
      }
    }
    inFlight.sort((a, b) => a.startMonoUs - b.startMonoUs);
    const buckets = new Array<number>(BUCKETS);
    for (let i = 0; i < BUCKETS; i++) buckets[i] = s(F.histogram + i);
    return {
      seq: newestSeq,
      requestsStarted: s(F.requestsStarted),
      running: s(F.running),
      overflow: s(F.overflow),
      overflowOldestMonoUs: s(F.overflowOldestMonoUs),
      overflowOldestEpochMs: s(F.overflowOldestEpochMs),
      rssBytes: s(F.rssBytes),
      rssPeakBytes: s(F.rssPeakBytes),
      idleSinceMs: s(F.idleSinceMs),
      durations: { buckets, count: s(F.counted), sumUs: s(F.durationSumUs) },
      inFlight,
      last,
    };
  }

  #record(r: number): RequestRecord & { seq: number } {
    const seq = this.#num(r, F.seqHead);
    const cached = this.#cache[r];
    if (cached !== undefined && cached.seq === seq) return cached;
    const base = r * RECORD_BYTES;
    const text = (i: number): string => {
      const field = TEXTS[i] ?? 'method';
      const length = Math.min(this.#num(r, F.textLengths + i), TEXT_BYTES[field]);
      const start = base + TEXT_OFFSETS[field];
      return decoder.decode(this.#bytes.subarray(start, start + length));
    };
    const record = {
      seq,
      index: r,
      number: this.#num(r, F.number),
      running: this.#num(r, F.state) === STATE_RUNNING,
      info: {
        method: text(0),
        uri: text(1),
        query: text(2),
        script: text(3),
        user: text(4),
        contentLength: this.#num(r, F.contentLength),
      },
      startEpochMs: this.#num(r, F.startEpochMs),
      startMonoUs: this.#num(r, F.startMonoUs),
      durationUs: this.#num(r, F.durationUs),
      status: this.#num(r, F.status),
      cpuUs: this.#num(r, F.cpuUs),
      memoryBytes: this.#num(r, F.memoryBytes),
    };
    this.#cache[r] = record;
    return record;
  }
}

/** CLOCK_MONOTONIC in µs, as the slots hold request starts. */
export function monotonicUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}
