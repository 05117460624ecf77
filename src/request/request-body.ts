// The request body as a Readable fed from STDIN records. When the script does not read, the
// connection is paused (backpressure reaches the web server) instead of buffering the body.
// With a CONTENT_LENGTH the script gets exactly that many bytes, as PHP-FPM gives a script (extra
// STDIN bytes are dropped), and a body that ends short of it is an error on the stream, not a clean
// end: a truncated upload must not pass for a whole one.
import { Readable } from 'node:stream';
import { codedMessage } from '../errors.js';
import type { Params } from '../fastcgi/params.js';

const IGNORE = (): void => undefined;

/** CONTENT_LENGTH as a byte count, or undefined when absent or not a number (the body then ends with STDIN). */
export function announcedLength(params: Params): number | undefined {
  const raw = params['CONTENT_LENGTH'];
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

export class RequestBody extends Readable {
  readonly #pause: () => void;
  readonly #resume: () => void;
  readonly #expected: number | undefined;
  #discarding = false;
  #ended = false;
  /** Bytes received so far (with any past CONTENT_LENGTH). */
  received = 0;
  /** Bytes handed to the stream (at most CONTENT_LENGTH). */
  #delivered = 0;
  /** The body ended short: raised once the bytes before it are read. */
  #pendingError: Error | undefined;

  /** `expectedBytes`: the body's CONTENT_LENGTH, when the request announced one. */
  constructor(pause: () => void, resume: () => void, expectedBytes?: number) {
    super({ highWaterMark: 64 * 1024 });
    this.#pause = pause;
    this.#resume = resume;
    this.#expected = expectedBytes;
  }

  get ended(): boolean {
    return this.#ended;
  }

  override _read(): void {
    if (this.#pendingError === undefined) this.#resume();
  }

  /** A STDIN chunk arrived. */
  feed(data: Buffer): void {
    this.received += data.length;
    if (this.#discarding) return;
    let bytes = data;
    if (this.#expected !== undefined) {
      const room = this.#expected - this.#delivered;
      if (room <= 0) return;
      if (bytes.length > room) bytes = bytes.subarray(0, room);
    }
    this.#delivered += bytes.length;
    if (!this.push(bytes)) this.#pause();
  }

  /** The empty STDIN record arrived. */
  finish(): void {
    this.#ended = true;
    if (!this.#discarding) {
      const expected = this.#expected;
      if (expected !== undefined && this.#delivered < expected) this.#truncated(expected);
      else this.push(null);
    }
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

  #truncated(expected: number): void {
    const error = Object.assign(
      new Error(
        codedMessage(
          'TSFPM_ERR_FCGI_BODY_TRUNCATED',
          `the request body ended after ${this.#delivered} of the ${expected} bytes of CONTENT_LENGTH`,
        ),
      ),
      { code: 'TSFPM_ERR_FCGI_BODY_TRUNCATED' },
    );
    // Whoever reads the body (a fetch Request, a node IncomingMessage, a thread task) gets this error
    // after the bytes that did arrive. It is raised on the next read, not now: a stream destroyed
    // before the script looks at it reads as an empty body through Readable.toWeb(). A body only piped
    // on (the CGI runner ends the script's stdin on close) has no error listener: that is not an
    // uncaught exception.
    this.on('error', IGNORE);
    this.#pendingError = error;
    this.#raiseWhenRead();
  }

  // A reader's read() that takes the last buffered bytes raises the pending error next. Readable's own
  // read(0) (filling its buffer before anyone reads) must not: the script would see an empty body.
  override read(size?: number): unknown {
    const chunk: unknown = super.read(size);
    if (size !== 0 && this.#pendingError !== undefined && this.readableLength === 0) {
      const error = this.#pendingError;
      this.#pendingError = undefined;
      process.nextTick(() => this.destroy(error));
    }
    return chunk;
  }

  /** A reader already waits for data that will not come: it gets the error now. */
  #raiseWhenRead(): void {
    const waiting = this.readableFlowing === true || this.listenerCount('readable') > 0;
    if (waiting && this.readableLength === 0 && this.#pendingError !== undefined) {
      const error = this.#pendingError;
      this.#pendingError = undefined;
      this.destroy(error);
    }
  }
}
