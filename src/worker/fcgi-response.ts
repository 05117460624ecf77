// The app side of one request's output: STDOUT/STDERR records and END_REQUEST, through the
// connection's OutputChannel (held until the body is read, then written with backpressure).
import { FCGI_REQUEST_COMPLETE, FCGI_STDERR, FCGI_STDOUT } from '../fastcgi/constants.js';
import { encodeRequestEnd, encodeStream, encodeStreamParts } from '../fastcgi/record.js';
import { WRITTEN, type ResponseSink } from '../request/response-sink.js';
import type { OutputChannel } from './output-channel.js';

export class FcgiResponse implements ResponseSink {
  readonly #channel: OutputChannel;
  readonly #requestId: number;
  #stderrUsed = false;
  #ended = false;
  /** Bytes of STDOUT content written (head and body). */
  stdoutBytes = 0;

  constructor(channel: OutputChannel, requestId: number) {
    this.#channel = channel;
    this.#requestId = requestId;
  }

  get ended(): boolean {
    return this.#ended;
  }

  stdout(data: Uint8Array): Promise<void> {
    if (this.#ended || data.length === 0) return WRITTEN;
    this.stdoutBytes += data.length;
    return this.#channel.write(encodeStream(FCGI_STDOUT, this.#requestId, data));
  }

  /** stdout(head + body) without joining them first. */
  stdoutParts(head: Uint8Array, body: Uint8Array): Promise<void> {
    // An instance whose stdout was replaced (the authorizer filter) must see the bytes itself.
    if (this.stdout !== FcgiResponse.prototype.stdout) return this.stdout(Buffer.concat([head, body]));
    if (this.#ended || head.length + body.length === 0) return WRITTEN;
    this.stdoutBytes += head.length + body.length;
    return this.#channel.write(encodeStreamParts(FCGI_STDOUT, this.#requestId, head, body));
  }

  stderr(text: string): Promise<void> {
    if (this.#ended || text === '') return WRITTEN;
    this.#stderrUsed = true;
    return this.#channel.write(encodeStream(FCGI_STDERR, this.#requestId, Buffer.from(text, 'utf8')));
  }

  /** Terminates the streams and sends END_REQUEST; later writes are dropped. */
  end(appStatus = 0, protocolStatus = FCGI_REQUEST_COMPLETE): Promise<void> {
    if (this.#ended) return WRITTEN;
    this.#ended = true;
    return this.#channel.write(encodeRequestEnd(this.#requestId, this.#stderrUsed, appStatus, protocolStatus));
  }
}
