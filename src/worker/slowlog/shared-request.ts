// The request a child's slowlog thread watches, published by the main thread in shared memory: the
// main thread may be stuck in a script, so the thread must read the facts without asking it.
//
// Layout: Int32 [0] = request id (0 = none), Float64 at byte 8 = start (epoch ms), Int32 at byte 16 =
// script length, bytes 20.. = the script path (UTF-8, cut at SCRIPT_BYTES), Int32 [1] = 1 while the
// reader sleeps until a request is published. The writer clears the id first and sets it last; a
// reader re-reads the id after reading the rest (seqlock style).
import { unchangedUntil, wakeReader, type WaitCell } from '../../ipc/shared-wait.js';

const ID = 0;
const READER_WAITING = 1;
const SCRIPT_OFFSET = 20;
const SCRIPT_BYTES = 4096;
export const SHARED_REQUEST_BYTES = SCRIPT_OFFSET + SCRIPT_BYTES;

export interface PublishedRequest {
  readonly id: number;
  readonly startedAtMs: number;
  readonly script: string;
}

export class SharedRequest {
  readonly #ids: Int32Array;
  readonly #start: Float64Array;
  readonly #bytes: Uint8Array;
  readonly #idCell: WaitCell;

  constructor(buffer: SharedArrayBuffer) {
    this.#ids = new Int32Array(buffer, 0, 5);
    this.#idCell = { ints: this.#ids, value: ID, flag: READER_WAITING };
    this.#start = new Float64Array(buffer, 8, 1);
    this.#bytes = new Uint8Array(buffer, SCRIPT_OFFSET, SCRIPT_BYTES);
  }

  publish(request: PublishedRequest | undefined): void {
    Atomics.store(this.#ids, ID, 0);
    if (request === undefined) return;
    this.#start[0] = request.startedAtMs;
    const encoded = Buffer.from(request.script, 'utf8').subarray(0, SCRIPT_BYTES);
    this.#bytes.set(encoded);
    Atomics.store(this.#ids, 4, encoded.length);
    Atomics.store(this.#ids, ID, request.id);
    wakeReader(this.#idCell);
  }

  /** Resolves once a request is published, without polling (the reader thread's idle state). */
  published(): Promise<void> {
    return unchangedUntil(this.#idCell, 0);
  }

  read(): PublishedRequest | undefined {
    const id = Atomics.load(this.#ids, ID);
    if (id === 0) return undefined;
    const startedAtMs = this.#start[0] ?? 0;
    const length = Atomics.load(this.#ids, 4);
    const script = Buffer.from(this.#bytes.slice(0, length)).toString('utf8');
    return Atomics.load(this.#ids, ID) === id ? { id, startedAtMs, script } : undefined;
  }
}
