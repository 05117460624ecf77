// The byte path from a request to its connection: holds output until the request body has been read,
// then writes with backpressure (a slow reader pauses the producer instead of growing a buffer).
// One per connection. The common case (body already in, socket writable) writes straight through
// without a promise hop: this is the hot path of every response.
import { HeldOutput } from './held-output.js';
import { ConnectionClosedError, RESOLVED, type Transport } from './transport/transport.js';

export { ConnectionClosedError };

/**
 * What a write returns when its bytes went straight to the socket: callers compare with it and skip
 * the await (a promise hop per write is a measurable share of a small request).
 */
export const WRITTEN: Promise<void> = RESOLVED;
const DONE = WRITTEN;

export class OutputChannel {
  readonly #transport: Transport;
  readonly #memoryLimit: number;
  #hold: HeldOutput | undefined;
  #released = false;
  /** Operations queued behind a hold flush or a full socket; while > 0, writes must queue to keep order. */
  #queued = 0;
  #tail: Promise<void> = DONE;

  constructor(transport: Transport, memoryLimitBytes: number) {
    this.#transport = transport;
    this.#memoryLimit = memoryLimitBytes;
  }

  get released(): boolean {
    return this.#released;
  }

  /** Bytes currently held back (for diagnostics and tests). */
  get heldBytes(): number {
    return this.#hold?.bytes ?? 0;
  }

  /** A new request on the connection: output is held again until its body has been read. */
  reset(): void {
    this.#released = false;
  }

  write(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) return this.#tail;
    if (this.#released && this.#queued === 0) return this.#sendNow(bytes);
    return this.#enqueue(() => (this.#released ? this.#send(bytes) : this.#holdBytes(bytes)));
  }

  /** The last STDIN record arrived: send what was held, then pass writes straight through. */
  release(): Promise<void> {
    if (this.#released) return this.#tail;
    if (this.#queued === 0 && (this.#hold === undefined || this.#hold.bytes === 0)) {
      this.#released = true;
      return DONE;
    }
    return this.#enqueue(async () => {
      if (this.#released) return;
      if (this.#hold !== undefined) for await (const chunk of this.#hold.drain()) await this.#send(chunk);
      this.#released = true;
    });
  }

  /** Resolves when every queued write has been handed to the socket. */
  flushed(): Promise<void> {
    return this.#tail;
  }

  dispose(): Promise<void> {
    const hold = this.#hold;
    this.#hold = undefined;
    return hold === undefined ? DONE : hold.dispose();
  }

  #holdBytes(bytes: Buffer): Promise<void> {
    this.#hold ??= new HeldOutput(this.#memoryLimit);
    return this.#hold.append(bytes);
  }

  #enqueue(op: () => Promise<void>): Promise<void> {
    this.#queued++;
    const run = this.#tail.then(op).finally(() => {
      // Nothing left in the queue: writes pass straight through again and report WRITTEN.
      if (--this.#queued === 0) this.#tail = DONE;
    });
    // A failed write fails its caller; later writes fail on their own (the socket is gone).
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #sendNow(bytes: Buffer): Promise<void> {
    const transport = this.#transport;
    if (!transport.writable) return Promise.reject(new ConnectionClosedError());
    if (transport.write(bytes)) return DONE;
    return this.#enqueue(() => transport.whenDrained());
  }

  async #send(bytes: Buffer): Promise<void> {
    const transport = this.#transport;
    if (!transport.writable) throw new ConnectionClosedError();
    if (!transport.write(bytes)) await transport.whenDrained();
  }

  /** Sends what is queued now (after END_REQUEST on a kept connection: the web server waits for it). */
  flush(): void {
    this.#transport.flush();
  }
}
