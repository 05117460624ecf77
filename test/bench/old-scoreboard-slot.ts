// The scoreboard slot as it was before the pull scoreboard (a SharedArrayBuffer the main thread wrote
// and a reporter thread read), kept only so that test/bench/scoreboard-writes.ts can time its writes
// against the positioned writes that replaced it. Not used by tsfpm.
import { wakeReader, waitWhileUnchanged, type WaitCell } from '../../src/ipc/shared-wait.js';

const INT_FIELDS = {
  seq: 0,
  running: 1,
  methodLen: 2,
  uriLen: 3,
  queryLen: 4,
  scriptLen: 5,
  userLen: 6,
  readerWaiting: 7,
} as const;
const NUM_FIELDS = {
  requestsStarted: 0,
  oldestRunningStartMs: 1,
  lastBeginMs: 2,
  lastDurationUs: 3,
  lastCpuPercent: 4,
  lastMemoryBytes: 5,
  lastStatus: 6,
  memoryBytes: 7,
  contentLength: 8,
} as const;
const TEXT_FIELDS = { method: 16, uri: 256, query: 512, script: 512, user: 64 } as const;
type TextField = keyof typeof TEXT_FIELDS;
const LENGTH_FIELD: Record<TextField, keyof typeof INT_FIELDS> = {
  method: 'methodLen',
  uri: 'uriLen',
  query: 'queryLen',
  script: 'scriptLen',
  user: 'userLen',
};

const INT_BYTES = 8 * 4;
const NUM_BYTES = 16 * 8;
const TEXT_OFFSETS: Record<TextField, number> = (() => {
  let offset = INT_BYTES + NUM_BYTES;
  const out = {} as Record<TextField, number>;
  for (const field of Object.keys(TEXT_FIELDS) as TextField[]) {
    out[field] = offset;
    offset += TEXT_FIELDS[field];
  }
  return out;
})();
const TOTAL_BYTES = Object.values(TEXT_OFFSETS).reduce((a, b) => Math.max(a, b), 0) + TEXT_FIELDS.user;

/** What the reporter sends to the master: the slot's content at one moment. */
export interface SlotReport {
  readonly seq: number;
  readonly running: number;
  readonly requestsStarted: number;
  readonly oldestRunningStartMs: number;
  readonly lastBeginMs: number;
  readonly lastDurationUs: number;
  readonly lastCpuPercent: number;
  readonly lastMemoryBytes: number;
  readonly lastStatus: number;
  readonly memoryBytes: number;
  readonly contentLength: number;
  readonly method: string;
  readonly uri: string;
  readonly query: string;
  readonly script: string;
  readonly user: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ScoreboardSlot {
  readonly buffer: SharedArrayBuffer;
  readonly #ints: Int32Array;
  readonly #nums: Float64Array;
  readonly #bytes: Uint8Array;
  readonly #seqCell: WaitCell;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(TOTAL_BYTES)) {
    this.buffer = buffer;
    this.#ints = new Int32Array(buffer, 0, 8);
    this.#nums = new Float64Array(buffer, INT_BYTES, 16);
    this.#bytes = new Uint8Array(buffer);
    this.#seqCell = { ints: this.#ints, value: INT_FIELDS.seq, flag: INT_FIELDS.readerWaiting };
  }

  get seq(): number {
    return Atomics.load(this.#ints, INT_FIELDS.seq);
  }

  /** Writes under the sequence lock (main thread only). */
  update(write: (slot: SlotWriter) => void): void {
    Atomics.add(this.#ints, INT_FIELDS.seq, 1); // odd: writing
    write(this.#writer);
    Atomics.add(this.#ints, INT_FIELDS.seq, 1); // even: consistent
    wakeReader(this.#seqCell);
  }

  /** Blocks the calling thread (never the main one) until `seq` is no longer `seenSeq`. */
  waitForChange(seenSeq: number): void {
    waitWhileUnchanged(this.#seqCell, seenSeq);
  }

  /** What each text field holds now (only this writer changes them). */
  readonly #texts: Record<TextField, string> = { method: '', uri: '', query: '', script: '', user: '' };

  readonly #writer: SlotWriter = {
    setRunning: (n) => {
      this.#ints[INT_FIELDS.running] = n;
    },
    setNumber: (field, value) => {
      this.#nums[NUM_FIELDS[field]] = value;
    },
    setText: (field, value) => {
      // Most requests repeat the last one's method, script and URI: nothing to encode then.
      if (this.#texts[field] === value) return;
      this.#texts[field] = value;
      const room = TEXT_FIELDS[field];
      const target = this.#bytes.subarray(TEXT_OFFSETS[field], TEXT_OFFSETS[field] + room);
      // Cut on a character boundary: encodeInto never writes half a character.
      const { written } = encoder.encodeInto(value, target);
      this.#ints[INT_FIELDS[LENGTH_FIELD[field]]] = written;
    },
  };

  /** A consistent copy (any thread); undefined if the writer kept it busy for too long. */
  read(): SlotReport | undefined {
    for (let attempt = 0; attempt < 100; attempt++) {
      const before = Atomics.load(this.#ints, INT_FIELDS.seq);
      if (before % 2 === 1) continue;
      const text = (field: TextField): string => {
        const length = this.#ints[INT_FIELDS[LENGTH_FIELD[field]]] ?? 0;
        // Copy first: TextDecoder does not accept views of shared memory.
        return decoder.decode(this.#bytes.slice(TEXT_OFFSETS[field], TEXT_OFFSETS[field] + length));
      };
      const num = (field: keyof typeof NUM_FIELDS): number => this.#nums[NUM_FIELDS[field]] ?? 0;
      const report: SlotReport = {
        seq: before,
        running: this.#ints[INT_FIELDS.running] ?? 0,
        requestsStarted: num('requestsStarted'),
        oldestRunningStartMs: num('oldestRunningStartMs'),
        lastBeginMs: num('lastBeginMs'),
        lastDurationUs: num('lastDurationUs'),
        lastCpuPercent: num('lastCpuPercent'),
        lastMemoryBytes: num('lastMemoryBytes'),
        lastStatus: num('lastStatus'),
        memoryBytes: num('memoryBytes'),
        contentLength: num('contentLength'),
        method: text('method'),
        uri: text('uri'),
        query: text('query'),
        script: text('script'),
        user: text('user'),
      };
      if (Atomics.load(this.#ints, INT_FIELDS.seq) === before) return report;
    }
    return undefined;
  }
}

export interface SlotWriter {
  setRunning(n: number): void;
  setNumber(field: keyof typeof NUM_FIELDS, value: number): void;
  setText(field: TextField, value: string): void;
}
