// One child's scoreboard slot (php-fpm's fpm_scoreboard_proc_s, for a child that serves several
// requests at once): a small file the master creates and passes to the child as fd 4. The child's
// main thread writes it with one positioned write at each request start and end; the master reads it
// (a positioned read) whenever it needs the child's state. No thread, no message, no timer.
//
// The slot is RECORDS request records of RECORD_BYTES each. A record describes one request (running
// or ended) and carries, stamped at each write, a copy of the child's summary (requests started,
// running, memory, the duration histogram...): one write then updates both, and the newest record
// (highest sequence number) holds the child's current summary. Each record begins and ends with its
// sequence number: a reader that sees two different numbers read it while it was being written and
// reads again.
import { BUCKETS } from './scoreboard-histogram.js';

export const RECORDS = 16;

/** Float64 indexes at the start of a record. */
export const F = {
  seqHead: 0,
  // The child's summary, stamped into every record written.
  requestsStarted: 1,
  running: 2,
  /** Running requests that found no free record. */
  overflow: 3,
  /** Bit i set: record i holds a running request. */
  inFlightMask: 4,
  rssBytes: 5,
  rssPeakBytes: 6,
  /** Epoch ms when the child last became idle (0: never served). */
  idleSinceMs: 7,
  /** Requests counted in the histogram (ended; status and ping pages excluded) and their summed durations. */
  counted: 8,
  durationSumUs: 9,
  /** Start of the oldest request that has no record (CLOCK_MONOTONIC µs, epoch ms), 0 when none. */
  overflowOldestMonoUs: 10,
  overflowOldestEpochMs: 11,
  // This record's request.
  state: 12,
  /** The child's request number (1, 2, ...). */
  number: 13,
  startEpochMs: 14,
  /** CLOCK_MONOTONIC in µs (process.hrtime): comparable between processes, immune to clock steps. */
  startMonoUs: 15,
  contentLength: 16,
  durationUs: 17,
  status: 18,
  /** The child's CPU time (user + system) while this request ran. */
  cpuUs: 19,
  memoryBytes: 20,
  /** Lengths of the text fields, in TEXTS order. */
  textLengths: 21,
  histogram: 26,
} as const;

export const STATE_FREE = 0;
export const STATE_RUNNING = 1;
export const STATE_ENDED = 2;

export const TEXTS = ['method', 'uri', 'query', 'script', 'user'] as const;
export type TextField = (typeof TEXTS)[number];
/** Bytes per text field (UTF-8, cut on a character boundary). */
export const TEXT_BYTES: Record<TextField, number> = { method: 16, uri: 256, query: 512, script: 512, user: 64 };

const NUMBERS = F.histogram + BUCKETS;
const TEXT_START = NUMBERS * 8;
export const TEXT_OFFSETS: Record<TextField, number> = (() => {
  let offset = TEXT_START;
  const out = {} as Record<TextField, number>;
  for (const field of TEXTS) {
    out[field] = offset;
    offset += TEXT_BYTES[field];
  }
  return out;
})();
/** Byte offset of the closing sequence number. */
export const SEQ_TAIL_OFFSET = TEXT_OFFSETS.user + TEXT_BYTES.user;
export const RECORD_BYTES = SEQ_TAIL_OFFSET + 8;
export const SLOT_BYTES = RECORDS * RECORD_BYTES;

/** The file descriptor (in the child) of its scoreboard slot. */
export const SCOREBOARD_FD = 4;

/** What the scoreboard keeps of a request (php-fpm's request fields). */
export interface RequestInfo {
  readonly method: string;
  /** SCRIPT_NAME, else REQUEST_URI. */
  readonly uri: string;
  readonly query: string;
  readonly script: string;
  readonly contentLength: number;
  readonly user: string;
}

const encoder = new TextEncoder();

/** One record of a slot, in a Buffer the child owns: typed setters over the layout above. */
export class RecordBuffer {
  readonly bytes: Buffer;
  readonly numbers: Float64Array;
  readonly #tail: Float64Array;
  /** What each text field holds now: most requests repeat the last one's method, script and URI. */
  readonly #texts: Record<TextField, string> = { method: '', uri: '', query: '', script: '', user: '' };

  constructor(bytes: Buffer = Buffer.alloc(RECORD_BYTES)) {
    if (bytes.byteOffset % 8 !== 0 || bytes.length < RECORD_BYTES) throw new Error('record buffer misaligned');
    this.bytes = bytes;
    this.numbers = new Float64Array(bytes.buffer, bytes.byteOffset, NUMBERS);
    this.#tail = new Float64Array(bytes.buffer, bytes.byteOffset + SEQ_TAIL_OFFSET, 1);
  }

  setText(field: TextField, value: string): void {
    if (this.#texts[field] === value) return;
    this.#texts[field] = value;
    const offset = TEXT_OFFSETS[field];
    // encodeInto never writes half a character.
    const { written } = encoder.encodeInto(value, this.bytes.subarray(offset, offset + TEXT_BYTES[field]));
    this.numbers[F.textLengths + TEXTS.indexOf(field)] = written;
  }

  setInfo(info: RequestInfo): void {
    this.setText('method', info.method);
    this.setText('uri', info.uri);
    this.setText('query', info.query);
    this.setText('script', info.script);
    this.setText('user', info.user);
    this.numbers[F.contentLength] = info.contentLength;
  }

  /** Seals the record under `seq` (both ends). */
  seal(seq: number): void {
    this.numbers[F.seqHead] = seq;
    this.#tail[0] = seq;
  }
}
