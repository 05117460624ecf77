// The byte path from a request to its connection: holds output until the request body has been read,
// then writes with backpressure (a slow reader pauses the producer instead of growing a buffer).
// One per connection. The common case (body already in, socket writable) writes straight through
// without a promise hop: this is the hot path of every response.
import type { Socket } from 'node:net';
import { HeldOutput } from './held-output.js';

export class ConnectionClosedError extends Error {
  constructor() {
    super('the FastCGI connection closed');
    this.name = 'ConnectionClosedError';
  }
}

/**
 * What a write returns when its bytes went straight to the socket: callers compare with it and skip
 * the await (a promise hop per write is a measurable share of a small request).
 */
export const WRITTEN: Promise<void> = Promise.resolve();
const DONE = WRITTEN;

const uncork = (socket: Socket): void => {
  while (socket.writableCorked > 0) socket.uncork();
};

export class OutputChannel {
  readonly #socket: Socket;
  readonly #memoryLimit: number;
  #hold: HeldOutput | undefined;
  #released = false;
  /** Operations queued behind a hold flush or a full socket; while > 0, writes must queue to keep order. */
  #queued = 0;
  #tail: Promise<void> = DONE;

  constructor(socket: Socket, memoryLimitBytes: number) {
    this.#socket = socket;
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
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) return Promise.reject(new ConnectionClosedError());
    this.#cork();
    if (socket.write(bytes)) return DONE;
    return this.#enqueue(() => this.#drained());
  }

  async #send(bytes: Buffer): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) throw new ConnectionClosedError();
    this.#cork();
    if (!socket.write(bytes)) await this.#drained();
  }

  /**
   * Writes of one event-loop turn (head, body, END_REQUEST) leave in one system call: a response's
   * head and END_REQUEST are written a few promise hops apart, after nextTick callbacks have run, so
   * the socket stays corked until the loop's check phase, or until flush() or socket.end().
   */
  #cork(): void {
    const socket = this.#socket;
    if (socket.writableCorked === 0) {
      socket.cork();
      setImmediate(uncork, socket);
    }
  }

  /** Sends what is corked now (after END_REQUEST on a kept connection: the web server waits for it). */
  flush(): void {
    const socket = this.#socket;
    while (socket.writableCorked > 0) socket.uncork();
  }

  #drained(): Promise<void> {
    const socket = this.#socket;
    if (socket.writableNeedDrain === false) return DONE;
    return new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onClose = (): void => {
        cleanup();
        reject(new ConnectionClosedError());
      };
      const cleanup = (): void => {
        socket.off('drain', onDrain);
        socket.off('close', onClose);
      };
      socket.on('drain', onDrain);
      socket.on('close', onClose);
    });
  }
}
