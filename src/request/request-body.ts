// The request body as a Readable fed from STDIN records. When the script does not read, the
// connection is paused (backpressure reaches the web server) instead of buffering the body.
import { Readable } from 'node:stream';

export class RequestBody extends Readable {
  readonly #pause: () => void;
  readonly #resume: () => void;
  #discarding = false;
  #ended = false;
  /** Bytes received so far. */
  received = 0;

  constructor(pause: () => void, resume: () => void) {
    super({ highWaterMark: 64 * 1024 });
    this.#pause = pause;
    this.#resume = resume;
  }

  get ended(): boolean {
    return this.#ended;
  }

  override _read(): void {
    this.#resume();
  }

  /** A STDIN chunk arrived. */
  feed(data: Buffer): void {
    this.received += data.length;
    if (this.#discarding) return;
    if (!this.push(data)) this.#pause();
  }

  /** The empty STDIN record arrived. */
  finish(): void {
    this.#ended = true;
    if (!this.#discarding) this.push(null);
    // The body is complete: no more backpressure to apply. The connection may have been paused by the
    // last chunk, and an ended stream never asks to read again, so a kept connection would stay paused.
    this.#resume();
  }

  /** The script no longer wants the body: drop the rest as it arrives so the request can complete. */
  discard(): void {
    if (this.#discarding) return;
    this.#discarding = true;
    this.#resume();
    if (!this.destroyed) this.destroy();
  }
}
