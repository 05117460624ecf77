// The byte path from a request to its connection: holds output until the request body has been read,
// then writes with backpressure (a slow reader pauses the producer instead of growing a buffer).
import type { Socket } from 'node:net';
import { HeldOutput } from './held-output.js';

export class ConnectionClosedError extends Error {
  constructor() {
    super('the FastCGI connection closed');
    this.name = 'ConnectionClosedError';
  }
}

export class OutputChannel {
  readonly #socket: Socket;
  readonly #hold: HeldOutput;
  #released = false;
  /** Serialises writes and the release flush, so bytes keep their order. */
  #tail: Promise<void> = Promise.resolve();

  constructor(socket: Socket, memoryLimitBytes: number) {
    this.#socket = socket;
    this.#hold = new HeldOutput(memoryLimitBytes);
  }

  get released(): boolean {
    return this.#released;
  }

  /** Bytes currently held back (for diagnostics and tests). */
  get heldBytes(): number {
    return this.#hold.bytes;
  }

  write(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) return this.#tail;
    const run = this.#tail.then(() => (this.#released ? this.#send(bytes) : this.#hold.append(bytes)));
    this.#tail = run;
    return run;
  }

  /** The last STDIN record arrived: send what was held, then pass writes straight through. */
  release(): Promise<void> {
    const run = this.#tail.then(async () => {
      if (this.#released) return;
      for await (const chunk of this.#hold.drain()) await this.#send(chunk);
      this.#released = true;
    });
    this.#tail = run;
    return run;
  }

  /** Resolves when every queued write has been handed to the socket. */
  flushed(): Promise<void> {
    return this.#tail;
  }

  dispose(): Promise<void> {
    return this.#hold.dispose();
  }

  async #send(bytes: Buffer): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) throw new ConnectionClosedError();
    // Writes of one turn (head, body, END_REQUEST) leave in one system call.
    if (socket.writableCorked === 0) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    if (socket.write(bytes)) return;
    await new Promise<void>((resolve, reject) => {
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
