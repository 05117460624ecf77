// The child's side of its scoreboard slot (src/ipc/scoreboard-layout.ts): each request start and end
// is one positioned write of one record into the file the master passed as fd 4. The start is
// written before the script runs, so the master sees a request even while the script blocks this
// thread; it reads the slot when it needs it, nothing is sent.
import { writeSync } from 'node:fs';
import { BUCKETS, bucketOf } from '../ipc/scoreboard-histogram.js';
import {
  F,
  RECORD_BYTES,
  RecordBuffer,
  RECORDS,
  SCOREBOARD_FD,
  SLOT_BYTES,
  STATE_ENDED,
  STATE_RUNNING,
  type RequestInfo,
} from '../ipc/scoreboard-layout.js';
import { monotonicUs } from '../ipc/scoreboard-reader.js';
import { cpuTimeAtStart, cpuTimeMicros, residentBytes } from './usage-sampler.js';

/** A request in progress, as began() returns it. */
export interface RequestToken {
  /** Its record, or -1 when every record was taken (counted in `overflow`). */
  readonly record: number;
  readonly number: number;
  readonly startMonoUs: number;
  readonly startEpochMs: number;
  readonly cpuAtStartUs: number;
  /** False for the status and ping pages: kept out of the duration figures. */
  readonly counted: boolean;
}

/** What ended() measured. */
export interface RequestEnd {
  readonly durationUs: number;
  readonly cpuUs: number;
  readonly memoryBytes: number;
}

export class ScoreboardWriter {
  #fd: number | undefined;
  /** One 8-byte aligned buffer holding every record, as the file holds them. */
  readonly #records: RecordBuffer[] = [];
  #seq = 0;
  #started = 0;
  #running = 0;
  #mask = 0;
  #lastWritten = 0;
  readonly #overflow = new Set<RequestToken>();
  #idleSinceMs = 0;
  readonly #buckets = new Float64Array(BUCKETS);
  #counted = 0;
  #durationSumUs = 0;
  #rssPeak = 0;
  #busyNotice: { readonly afterIdleMs: number; readonly notify: () => void } | undefined;

  constructor(fd: number | undefined = SCOREBOARD_FD) {
    this.#fd = fd;
    const all = Buffer.from(new ArrayBuffer(SLOT_BYTES));
    for (let r = 0; r < RECORDS; r++) {
      this.#records.push(new RecordBuffer(all.subarray(r * RECORD_BYTES, (r + 1) * RECORD_BYTES)));
    }
  }

  /** Requests in progress. */
  get running(): number {
    return this.#running;
  }

  /**
   * Calls `notify` when a request begins after the child was idle `afterIdleMs` or longer (the master
   * watches a busy acceptor only from then on: src/master/accept-set.ts).
   */
  notifyBusyAfterIdle(afterIdleMs: number, notify: () => void): void {
    this.#busyNotice = { afterIdleMs, notify };
  }

  /** Writes the child's summary alone: its memory shows before its first request. */
  publish(): void {
    this.#write(this.#lastWritten);
  }

  began(info: RequestInfo, counted: boolean): RequestToken {
    const startEpochMs = Date.now();
    const wasIdleSince = this.#running === 0 ? this.#idleSinceMs : undefined;
    this.#started++;
    this.#running++;
    const record = this.#freeRecord();
    const startMonoUs = monotonicUs();
    const token: RequestToken = {
      record,
      number: this.#started,
      startMonoUs,
      startEpochMs,
      cpuAtStartUs: cpuTimeAtStart(startMonoUs),
      counted,
    };
    if (record === -1) {
      this.#overflow.add(token);
      this.#write(this.#lastWritten);
    } else {
      this.#mask += 2 ** record;
      const buffer = this.#records[record] as RecordBuffer;
      const n = buffer.numbers;
      n[F.state] = STATE_RUNNING;
      n[F.number] = token.number;
      n[F.startEpochMs] = startEpochMs;
      n[F.startMonoUs] = token.startMonoUs;
      n[F.durationUs] = 0;
      n[F.status] = 0;
      n[F.cpuUs] = 0;
      n[F.memoryBytes] = 0;
      buffer.setInfo(info);
      this.#write(record);
    }
    const notice = this.#busyNotice;
    if (notice !== undefined && wasIdleSince !== undefined && startEpochMs - wasIdleSince >= notice.afterIdleMs) {
      notice.notify();
    }
    return token;
  }

  ended(token: RequestToken, status: number): RequestEnd {
    const endMonoUs = monotonicUs();
    const durationUs = Math.max(0, endMonoUs - token.startMonoUs);
    const cpuUs = Math.max(0, cpuTimeMicros(endMonoUs) - token.cpuAtStartUs);
    const memoryBytes = residentBytes();
    this.#running--;
    if (this.#running === 0) this.#idleSinceMs = Date.now();
    if (memoryBytes > this.#rssPeak) this.#rssPeak = memoryBytes;
    if (token.counted) {
      const bucket = bucketOf(durationUs);
      this.#buckets[bucket] = (this.#buckets[bucket] ?? 0) + 1;
      this.#counted++;
      this.#durationSumUs += durationUs;
    }
    if (token.record === -1) {
      this.#overflow.delete(token);
      this.#write(this.#lastWritten);
    } else {
      this.#mask -= 2 ** token.record;
      const n = (this.#records[token.record] as RecordBuffer).numbers;
      n[F.state] = STATE_ENDED;
      n[F.durationUs] = durationUs;
      n[F.status] = status;
      n[F.cpuUs] = cpuUs;
      n[F.memoryBytes] = memoryBytes;
      this.#write(token.record);
    }
    return { durationUs, cpuUs, memoryBytes };
  }

  /** A record not running a request: a never used one, else the one that ended longest ago. */
  #freeRecord(): number {
    let best = -1;
    let bestSeq = Infinity;
    for (let r = 0; r < RECORDS; r++) {
      if (Math.floor(this.#mask / 2 ** r) % 2 === 1) continue;
      const seq = (this.#records[r] as RecordBuffer).numbers[F.seqHead] ?? 0;
      if (seq < bestSeq) {
        best = r;
        bestSeq = seq;
      }
    }
    return best;
  }

  /** Stamps the child's summary into record r and writes it: one system call. */
  #write(r: number): void {
    const buffer = this.#records[r] as RecordBuffer;
    const n = buffer.numbers;
    n[F.requestsStarted] = this.#started;
    n[F.running] = this.#running;
    n[F.overflow] = this.#overflow.size;
    n[F.inFlightMask] = this.#mask;
    n[F.rssBytes] = residentBytes();
    n[F.rssPeakBytes] = this.#rssPeak;
    n[F.idleSinceMs] = this.#idleSinceMs;
    n[F.counted] = this.#counted;
    n[F.durationSumUs] = this.#durationSumUs;
    let oldest: RequestToken | undefined;
    for (const token of this.#overflow)
      if (oldest === undefined || token.startMonoUs < oldest.startMonoUs) oldest = token;
    n[F.overflowOldestMonoUs] = oldest?.startMonoUs ?? 0;
    n[F.overflowOldestEpochMs] = oldest?.startEpochMs ?? 0;
    n.set(this.#buckets, F.histogram);
    buffer.seal(++this.#seq);
    this.#lastWritten = r;
    const fd = this.#fd;
    if (fd === undefined) return;
    try {
      writeSync(fd, buffer.bytes, 0, RECORD_BYTES, r * RECORD_BYTES);
    } catch {
      // No slot (a child started by hand, not by the master): nothing to keep up to date.
      this.#fd = undefined;
    }
  }
}

/** The status and ping pages stay out of the duration figures: a dashboard's own polls are not load. */
export function countsInDurations(
  pool: { readonly pingPath?: string | undefined; readonly pm: { readonly statusPath?: string | undefined } },
  scriptName: string | undefined,
): boolean {
  return scriptName === undefined || (scriptName !== pool.pingPath && scriptName !== pool.pm.statusPath);
}
