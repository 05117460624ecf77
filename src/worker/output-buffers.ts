// Reused buffers for large answers. A fresh buffer of a few hundred KB costs far more than its
// bytes: the memory is new to the process, and every page of it faults on first write (measured on a
// 1 MiB answer: ~90 page faults, 1.4 ms of CPU, against 25 µs to write the same bytes into a buffer
// used before). So the framing of an answer of LARGE_SIZE or more takes its buffer from here, and the
// connection gives it back once the kernel has the bytes. A buffer that is not given back (the
// output was held, the connection closed) is simply left to the garbage collector.

/** Answers from this size up are framed into a reused buffer; smaller ones come from Node's allocator. */
const LARGE_SIZE = 16 * 1024;
/** Buffers are made in multiples of this, so that one fits answers of nearby sizes. */
const GRAIN = 64 * 1024;
/** Idle buffers kept at most, in bytes and in number: what a child may hold on to after a burst. */
const MAX_IDLE_BYTES = 4 * 1024 * 1024;
const MAX_IDLE_BUFFERS = 16;

export class OutputBuffers {
  /** Idle buffers, smallest first. */
  readonly #idle: ArrayBuffer[] = [];
  #idleBytes = 0;
  /** The buffer allocate() lent last, until takeLent() collects it. */
  #lent: ArrayBuffer | undefined;

  /** `size` bytes for framing: a reused buffer when large, Node's otherwise. */
  readonly allocate = (size: number): Buffer => {
    if (size < LARGE_SIZE) return Buffer.allocUnsafe(size);
    const idle = this.#idle;
    let store: ArrayBuffer | undefined;
    for (let i = 0; i < idle.length; i++) {
      const candidate = idle[i];
      // Smallest first: the first that fits wastes least; one over twice the size is left for a larger answer.
      if (candidate !== undefined && candidate.byteLength >= size) {
        if (candidate.byteLength <= 2 * size + GRAIN) {
          idle.splice(i, 1);
          this.#idleBytes -= candidate.byteLength;
          store = candidate;
        }
        break;
      }
    }
    store ??= new ArrayBuffer(Math.ceil(size / GRAIN) * GRAIN);
    this.#lent = store;
    return Buffer.from(store, 0, size);
  };

  /** The buffer the last framing took from here, if it took one (then give it back once written). */
  takeLent(): ArrayBuffer | undefined {
    const lent = this.#lent;
    this.#lent = undefined;
    return lent;
  }

  /** A lent buffer whose bytes the kernel has: it may be reused. */
  give(store: ArrayBuffer): void {
    if (this.#idleBytes + store.byteLength > MAX_IDLE_BYTES || this.#idle.length >= MAX_IDLE_BUFFERS) return;
    const idle = this.#idle;
    let at = 0;
    while (at < idle.length && (idle[at]?.byteLength ?? 0) < store.byteLength) at++;
    idle.splice(at, 0, store);
    this.#idleBytes += store.byteLength;
  }

  /** Idle bytes held (for tests). */
  get idleBytes(): number {
    return this.#idleBytes;
  }
}

/** The child's buffers (one per process: connections take turns on one thread). */
export const outputBuffers = new OutputBuffers();
