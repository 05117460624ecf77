// The app side of one request's output: STDOUT/STDERR records and END_REQUEST, through the
// connection's OutputChannel (held until the body is read, then written with backpressure).
import { FCGI_REQUEST_COMPLETE, FCGI_STDERR, FCGI_STDOUT } from '../fastcgi/constants.js';
import { encodeRequestEnd } from '../fastcgi/record.js';
import { frameResponse, frameStream } from '../fastcgi/stream-frames.js';
import { WRITTEN, type ResponseSink } from '../request/response-sink.js';
import { outputBuffers } from './output-buffers.js';
import type { OutputChannel } from './output-channel.js';

/**
 * The end every request but a failed or STDERR-using one sends (status 0, complete), for the last
 * request id seen (web servers use 1 nearly always): one shared buffer, never written to, instead of
 * a new one per request.
 */
let usualEnd: { readonly requestId: number; readonly bytes: Buffer } = { requestId: 0, bytes: Buffer.alloc(0) };

function endBytes(requestId: number, stderrUsed: boolean, appStatus: number, protocolStatus: number): Buffer {
  if (stderrUsed || appStatus !== 0 || protocolStatus !== FCGI_REQUEST_COMPLETE) {
    return encodeRequestEnd(requestId, stderrUsed, appStatus, protocolStatus);
  }
  if (usualEnd.requestId !== requestId) {
    usualEnd = { requestId, bytes: encodeRequestEnd(requestId, false, 0, FCGI_REQUEST_COMPLETE) };
  }
  return usualEnd.bytes;
}

export class FcgiResponse implements ResponseSink {
  readonly #channel: OutputChannel;
  readonly #requestId: number;
  #stderrUsed = false;
  #ended = false;

  constructor(channel: OutputChannel, requestId: number) {
    this.#channel = channel;
    this.#requestId = requestId;
  }

  get ended(): boolean {
    return this.#ended;
  }

  stdout(data: Uint8Array, given = false): Promise<void> {
    if (this.#ended || data.length === 0) return WRITTEN;
    return this.#write(frameStream(FCGI_STDOUT, this.#requestId, data, given, outputBuffers.allocate));
  }

  /**
   * A whole answer: its CGI head (latin1 text) and body, framed without joining them first. Body
   * bytes `given` (see stdout) are sent in place when large.
   */
  respond(head: string, body: string | Uint8Array, given = false): Promise<void> {
    // An instance whose stdout was replaced (the authorizer filter, the access log's %o) must see the bytes itself.
    if (this.stdout !== FcgiResponse.prototype.stdout) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      return this.stdout(Buffer.concat([Buffer.from(head, 'latin1'), bytes]));
    }
    if (this.#ended) return WRITTEN;
    return this.#write(frameResponse(FCGI_STDOUT, this.#requestId, head, body, given, outputBuffers.allocate));
  }

  /** Writes framed records; a reused buffer they were framed into goes back once the kernel has it. */
  #write(chunks: Buffer[]): Promise<void> {
    const lent = outputBuffers.takeLent();
    if (lent === undefined) return this.#channel.writeAll(chunks);
    return this.#channel.writeAll(chunks, () => outputBuffers.give(lent));
  }

  stderr(text: string): Promise<void> {
    if (this.#ended || text === '') return WRITTEN;
    this.#stderrUsed = true;
    return this.#channel.writeAll(frameStream(FCGI_STDERR, this.#requestId, Buffer.from(text, 'utf8'), true));
  }

  /** Terminates the streams and sends END_REQUEST; later writes are dropped. */
  end(appStatus = 0, protocolStatus = FCGI_REQUEST_COMPLETE): Promise<void> {
    if (this.#ended) return WRITTEN;
    this.#ended = true;
    return this.#channel.write(endBytes(this.#requestId, this.#stderrUsed, appStatus, protocolStatus));
  }
}
