// A Transport straight on the libuv stream handle (TCP or Pipe) that the child accepts, without a
// net.Socket around it (see stream-handle.ts). Measured with nginx without keepalive (a connection
// per request), a Node process answering FastCGI through net.Socket costs 35 µs of CPU per request
// and one on the bare handle 18 µs: the Readable/Writable state, the events and the nextTick hops of
// a socket cost more than the system calls.
import { ConnectionClosedError } from '../../request/response-sink.js';
import { binding, osError, type HandleRequest, type StreamHandle, type StreamWrapBinding } from './stream-handle.js';
import { RESOLVED, type Transport } from './transport.js';

/** The transport of each open handle, for the shared callbacks (see the constructor). */
const openTransports = new Map<StreamHandle, StreamHandleTransport>();
const IGNORE_DATA = (): void => undefined;
const UV_EOF = -4095;
/** write() asks the caller to wait past this many unsent bytes (a FastCGI record is at most 64 KiB). */
const HIGH_WATER_BYTES = 64 * 1024;

export class StreamHandleTransport implements Transport {
  readonly #handle: StreamHandle;
  readonly #binding: StreamWrapBinding;
  #onData: (chunk: Buffer) => void = IGNORE_DATA;
  #closeListeners: ((error?: Error) => void)[] = [];
  #drainWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  /** Called back once the queued bytes are with the kernel (Transport.write's onWritten). */
  #onQueueWritten: (() => void)[] | undefined;
  #inflightBytes = 0;
  #flushScheduled = false;
  #reading = false;
  #ending = false;
  #closed = false;
  #error: Error | undefined;
  /** The peer's address once asked (a system call; gone once the handle is closed). */
  #peer: string | undefined;

  constructor(handle: StreamHandle) {
    if (binding === undefined) throw new Error('the stream handle binding is not available');
    this.#handle = handle;
    this.#binding = binding;
    // The callbacks node calls on the handle are shared functions that find the transport in a map,
    // not closures over it: a closure given to a handle kept this connection's whole object graph
    // alive through every young-generation collection until the next full one (measured: ~200 KB
    // promoted per scavenge, GC a third of a child's CPU; with shared callbacks, 3.5 KB).
    openTransports.set(handle, this);
    handle.onread = StreamHandleTransport.#onHandleRead;
  }

  static #onHandleRead(this: StreamHandle, arrayBuffer: ArrayBuffer | undefined): void {
    const transport = openTransports.get(this);
    if (transport !== undefined) transport.#onRead(arrayBuffer);
  }

  static #onWriteComplete(this: HandleRequest, status: number): void {
    const transport = openTransports.get(this.handle);
    if (transport === undefined) return; // closed meanwhile: libuv cancels pending writes
    transport.#inflightBytes -= this.bytes ?? 0;
    if (status < 0) {
      transport.#fail(status, 'write');
      return;
    }
    if (this.written !== undefined) for (const callback of this.written) callback();
    transport.#afterWrite();
  }

  static #flushLater(transport: StreamHandleTransport): void {
    transport.#flushScheduled = false;
    transport.flush();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get writable(): boolean {
    return !this.#closed && !this.#ending;
  }

  get pendingBytes(): number {
    return this.#queuedBytes + this.#inflightBytes;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.#onData = listener;
    this.resume();
  }

  onClose(listener: (error?: Error) => void): void {
    this.#closeListeners.push(listener);
  }

  pause(): void {
    if (!this.#reading || this.#closed) return;
    this.#reading = false;
    this.#handle.readStop();
  }

  resume(): void {
    if (this.#reading || this.#closed) return;
    this.#reading = true;
    const err = this.#handle.readStart();
    if (err !== 0) this.#fail(err, 'read');
  }

  write(bytes: Buffer, onWritten?: () => void): boolean {
    if (!this.writable) return false;
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    if (onWritten !== undefined) (this.#onQueueWritten ??= []).push(onWritten);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(StreamHandleTransport.#flushLater, this);
    }
    return this.pendingBytes < HIGH_WATER_BYTES;
  }

  whenDrained(): Promise<void> {
    if (this.pendingBytes < HIGH_WATER_BYTES) return RESOLVED;
    if (this.#closed) return Promise.reject(new ConnectionClosedError());
    return new Promise<void>((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  flush(): void {
    if (this.#closed || this.#queue.length === 0) return;
    const chunks = this.#queue;
    const bytes = this.#queuedBytes;
    const written = this.#onQueueWritten;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#onQueueWritten = undefined;
    const request = new this.#binding.WriteWrap();
    request.handle = this.#handle;
    request.async = false;
    request.bytes = bytes;
    request.oncomplete = StreamHandleTransport.#onWriteComplete;
    const first = chunks[0];
    const err =
      chunks.length === 1 && first !== undefined
        ? this.#handle.writeBuffer(request, first)
        : this.#handle.writev(request, chunks, true);
    if (err !== 0) {
      this.#fail(err, 'write');
      return;
    }
    if (this.#binding.streamBaseState[this.#binding.kLastWriteWasAsync] !== 0) {
      // The kernel took part of it: the rest waits in libuv, which needs the buffers until oncomplete.
      request.chunks = chunks;
      request.written = written;
      this.#inflightBytes += bytes;
      return;
    }
    if (written !== undefined) for (const callback of written) callback();
    this.#afterWrite();
  }

  /**
   * Closes once the last byte is with the kernel, which still delivers it, then sends FIN. No
   * shutdown-and-wait-for-EOF as net.Socket and php-fpm do: that costs a shutdown, an EOF read and
   * an event-loop turn per connection (~4 of its 12 system calls). The one risk of closing at once is
   * a reset for bytes the peer sent that were never read; by now a web server has sent the whole
   * request (the body is drained before END_REQUEST) and, without FCGI_KEEP_CONN, nothing after.
   */
  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    this.flush();
    this.#afterWrite();
  }

  destroy(): void {
    this.#close();
  }

  setNoDelay(): void {
    if (!this.#closed) this.#handle.setNoDelay?.(true);
  }

  remoteAddress(): string | undefined {
    if (this.#peer !== undefined || this.#closed || this.#handle.getpeername === undefined) return this.#peer;
    const out: { address?: string } = {};
    if (this.#handle.getpeername(out) === 0) this.#peer = out.address;
    return this.#peer;
  }

  #onRead(arrayBuffer: ArrayBuffer | undefined): void {
    const state = this.#binding.streamBaseState;
    const nread = state[this.#binding.kReadBytesOrError] ?? 0;
    if (nread > 0) {
      // Bytes after our end (nginx sends none) would start requests on a closing connection.
      if (arrayBuffer !== undefined && !this.#ending) {
        this.#onData(Buffer.from(arrayBuffer, state[this.#binding.kArrayBufferOffset] ?? 0, nread));
      }
      return;
    }
    if (nread === 0) return;
    if (nread !== UV_EOF) {
      this.#fail(nread, 'read');
      return;
    }
    // The peer is done sending. Like net.Socket without allowHalfOpen: what is queued still goes out,
    // then the connection closes; a response written after this fails.
    this.end();
  }

  /** After bytes left: wake writers waiting for room, and finish a graceful end once all is out. */
  #afterWrite(): void {
    if (this.#closed) return;
    if (this.#drainWaiters.length > 0 && this.pendingBytes < HIGH_WATER_BYTES) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
    if (this.#ending && this.pendingBytes === 0) this.#close();
  }

  #fail(code: number, syscall: string): void {
    this.#error ??= osError(code, syscall);
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reading = false;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#onQueueWritten = undefined;
    openTransports.delete(this.#handle);
    // No close callback: node keeps it on the handle object (the same retention as above). libuv
    // finishes the close on its own; the listeners run on the next turn, as net.Socket's 'close'.
    this.#handle.close();
    setImmediate(StreamHandleTransport.#notifyClosed, this);
  }

  static #notifyClosed(transport: StreamHandleTransport): void {
    const error = transport.#error;
    const waiters = transport.#drainWaiters;
    const listeners = transport.#closeListeners;
    transport.#drainWaiters = [];
    transport.#closeListeners = [];
    transport.#onData = IGNORE_DATA;
    for (const waiter of waiters) waiter.reject(new ConnectionClosedError());
    for (const listener of listeners) listener(error);
  }
}
