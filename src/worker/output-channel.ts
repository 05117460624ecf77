// The byte path from a request to its connection: holds output until the request body has been read,
// then writes with backpressure (a slow reader pauses the producer instead of growing a buffer).
// One per connection. The common case (body already in, socket writable) writes straight through
// without a promise hop: this is the hot path of every response.
import { StdoutReframer } from '../fastcgi/stdout-reframer.js';
import { ConnectionClosedError, WRITTEN } from '../request/response-sink.js';
import { HeldOutput } from './held-output.js';
import type { Transport } from './transport/transport.js';

/** A write whose bytes went straight to the socket returns WRITTEN: callers skip the await. */
const DONE = WRITTEN;

export class OutputChannel {
  readonly #transport: Transport;
  readonly #memoryLimit: number;
  #hold: HeldOutput | undefined;
  /** Set from the release of held output until a turn of the event loop passes without a write. */
  #reframer: StdoutReframer | undefined;
  #quietCheckArmed = false;
  #released = false;
  /** Operations queued behind a hold flush or a full socket; while > 0, writes must queue to keep order. */
  #queued = 0;
  #tail: Promise<void> = DONE;

  readonly #onHeldOutputLost: (err: unknown) => void;

  /**
   * `onHeldOutputLost` is called when held output cannot be read back (its temporary file failed):
   * it must close the connection, because an END_REQUEST after the gap would pass a cut response
   * as whole.
   */
  constructor(transport: Transport, memoryLimitBytes: number, onHeldOutputLost: (err: unknown) => void) {
    this.#transport = transport;
    this.#memoryLimit = memoryLimitBytes;
    this.#onHeldOutputLost = onHeldOutputLost;
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
    if (this.#released && this.#queued === 0 && this.#reframer === undefined) return this.#sendNow(bytes);
    return this.#enqueue(() => (this.#released ? this.#sendQueued(bytes) : this.#holdBytes(bytes)));
  }

  /**
   * write() of each buffer in order, as one operation: records framed as views of a body
   * (stream-frames.ts). `onWritten` is called when they went straight to the connection and the
   * kernel has them (their buffer may be reused), not when they were held or queued.
   */
  writeAll(chunks: readonly Buffer[], onWritten?: () => void): Promise<void> {
    if (chunks.length === 0) return this.#tail;
    if (this.#released && this.#queued === 0 && this.#reframer === undefined)
      return this.#sendAllNow(chunks, onWritten);
    return this.#enqueue(async () => {
      // Nothing else runs in between: release() queues behind this operation.
      for (const bytes of chunks) await (this.#released ? this.#sendQueued(bytes) : this.#holdBytes(bytes));
    });
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
      if (this.#hold !== undefined) {
        try {
          await this.#sendHeld(this.#hold);
        } catch (err) {
          if (!(err instanceof ConnectionClosedError)) this.#onHeldOutputLost(err);
          throw err;
        }
      }
      this.#released = true;
      this.#endReframingWhenQuiet();
    });
  }

  /** Resolves when every queued write has been handed to the socket. */
  flushed(): Promise<void> {
    return this.#tail;
  }

  dispose(): Promise<void> {
    this.#reframer = undefined;
    const hold = this.#hold;
    this.#hold = undefined;
    return hold === undefined ? DONE : hold.dispose();
  }

  /**
   * What was held goes out in full 64 KiB STDOUT records, not in the sizes the script wrote (see
   * stdout-reframer.ts). The script is usually still writing (it runs behind the upload): its writes
   * are framed the same way while they keep coming; the last shorter record goes out once a turn of
   * the event loop passes without one.
   */
  async #sendHeld(hold: HeldOutput): Promise<void> {
    const reframer = new StdoutReframer();
    this.#reframer = reframer;
    for await (const chunk of hold.drain()) for (const bytes of reframer.push(chunk)) await this.#send(bytes);
  }

  async #sendQueued(bytes: Buffer): Promise<void> {
    const reframer = this.#reframer;
    if (reframer === undefined) return this.#send(bytes);
    for (const framed of reframer.push(bytes)) await this.#send(framed);
    this.#endReframingWhenQuiet();
  }

  #endReframingWhenQuiet(): void {
    if (this.#reframer === undefined || this.#quietCheckArmed) return;
    this.#quietCheckArmed = true;
    setImmediate(OutputChannel.#endReframingIfQuiet, this);
  }

  static #endReframingIfQuiet(channel: OutputChannel): void {
    channel.#quietCheckArmed = false;
    const reframer = channel.#reframer;
    // A queued write is still to come: it arms the check again when it is done.
    if (reframer === undefined || channel.#queued > 0) return;
    channel.#reframer = undefined;
    const transport = channel.#transport;
    // At most one shorter STDOUT record: written without waiting for room. Nothing is queued, so it
    // follows every byte before it.
    try {
      for (const bytes of reframer.end()) if (transport.writable) transport.write(bytes);
    } catch {
      // Only whole records are written here, so this is a bug; the stream is broken either way.
      transport.destroy();
    }
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

  /** The buffers go to the transport together (one writev); only then is there a wait for room. */
  #sendAllNow(chunks: readonly Buffer[], onWritten: (() => void) | undefined): Promise<void> {
    const transport = this.#transport;
    if (!transport.writable) return Promise.reject(new ConnectionClosedError());
    // Only the last write's answer counts: the queue only grows in between.
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) transport.write(chunks[i] as Buffer);
    if (transport.write(chunks[last] as Buffer, onWritten)) return DONE;
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
