// A Transport straight on the libuv stream handle (TCP or Pipe) that the child accepts, without a
// net.Socket around it. Measured with nginx without keepalive (a connection per request), a Node
// process answering FastCGI through net.Socket costs 35 µs of CPU per request and one on the bare
// handle 18 µs: the Readable/Writable state, the events and the nextTick hops of a socket cost more
// than the system calls. These handles are Node internals (process.binding('stream_wrap'), the API
// net.Socket itself is built on, stable since Node 12); isStreamHandleUsable() checks their shape
// and the child falls back to net.Socket when they are not what this code expects.
import { getSystemErrorName } from 'node:util';
import { ConnectionClosedError, RESOLVED, type Transport } from './transport.js';

/** A write the handle completes asynchronously (what the kernel did not take at once). */
interface HandleRequest {
  handle: StreamHandle;
  oncomplete: (this: HandleRequest, status: number) => void;
  async?: boolean;
  /** Keeps the written buffers alive until the kernel has them. */
  chunks?: Buffer[];
  bytes?: number;
}

/** The methods of node's TCPWrap / PipeWrap (via LibuvStreamWrap and StreamBase) that are used here. */
export interface StreamHandle {
  onread: ((this: StreamHandle, arrayBuffer: ArrayBuffer | undefined) => void) | null;
  readStart(): number;
  readStop(): number;
  writeBuffer(request: HandleRequest, data: Buffer): number;
  writev(request: HandleRequest, chunks: Buffer[], allBuffers: true): number;
  close(callback?: () => void): void;
  setNoDelay?(on: boolean): number;
  getpeername?(out: { address?: string }): number;
}

/** A listening TCPWrap / PipeWrap: the child's copy of the master's bound socket. */
export interface ListeningHandle {
  onconnection: ((status: number, client: StreamHandle | undefined) => void) | null;
  listen(backlog: number): number;
  close(callback?: () => void): void;
}

interface StreamWrapBinding {
  WriteWrap: new () => HandleRequest;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
}

function loadBinding(): StreamWrapBinding | undefined {
  if (process.env['TSFPM_NET_SOCKETS'] === '1') return undefined; // forced fallback (tests, A/B runs)
  try {
    // process.binding is typed as returning any in @types/node; the shape is checked before use.
    const binding = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    const ok =
      typeof binding.WriteWrap === 'function' &&
      binding.streamBaseState instanceof Int32Array &&
      typeof binding.kReadBytesOrError === 'number' &&
      typeof binding.kArrayBufferOffset === 'number' &&
      typeof binding.kLastWriteWasAsync === 'number';
    return ok ? (binding as StreamWrapBinding) : undefined;
  } catch {
    return undefined;
  }
}

const binding = loadBinding();
/** The transport of each open handle, for the shared callbacks (see the constructor). */
const openTransports = new Map<StreamHandle, StreamHandleTransport>();
const IGNORE_DATA = (): void => undefined;
const UV_EOF = -4095;
/** write() asks the caller to wait past this many unsent bytes (a FastCGI record is at most 64 KiB). */
const HIGH_WATER_BYTES = 64 * 1024;

/** True when the child can accept on this handle and serve its connections without net.Socket. */
export function isStreamHandleUsable(listening: unknown): listening is ListeningHandle {
  return (
    binding !== undefined &&
    typeof listening === 'object' &&
    listening !== null &&
    'listen' in listening &&
    typeof listening.listen === 'function' &&
    // node's TCPWrap and PipeWrap classes: what the master binds and sends over IPC
    (listening.constructor.name === 'TCP' || listening.constructor.name === 'Pipe')
  );
}

const osError = (code: number, syscall: string): Error => {
  let name: string;
  try {
    name = getSystemErrorName(code);
  } catch {
    name = `error ${code}`;
  }
  return Object.assign(new Error(`${syscall} ${name}`), { code: name, errno: code, syscall });
};

export class StreamHandleTransport implements Transport {
  readonly #handle: StreamHandle;
  readonly #binding: StreamWrapBinding;
  #onData: (chunk: Buffer) => void = IGNORE_DATA;
  #closeListeners: ((error?: Error) => void)[] = [];
  #drainWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #queue: Buffer[] = [];
  #queuedBytes = 0;
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
    if (status < 0) transport.#fail(status, 'write');
    else transport.#afterWrite();
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

  write(bytes: Buffer): boolean {
    if (!this.writable) return false;
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
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
    this.#queue = [];
    this.#queuedBytes = 0;
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
      this.#inflightBytes += bytes;
      return;
    }
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

export interface Acceptor {
  close(): void;
}

/**
 * Accepts on the child's copy of the listening socket, each connection as a StreamHandleTransport.
 * Returns the error when listen() fails.
 */
export function acceptOnHandle(
  listening: ListeningHandle,
  backlog: number,
  onConnection: (transport: Transport) => void,
  onError: (err: Error) => void,
): Acceptor | Error {
  listening.onconnection = (status, client) => {
    if (status < 0 || client === undefined) {
      onError(osError(status, 'accept'));
      return;
    }
    onConnection(new StreamHandleTransport(client));
  };
  const err = listening.listen(backlog);
  if (err !== 0) {
    listening.close();
    return osError(err, 'listen');
  }
  return {
    close: () => {
      listening.onconnection = null;
      listening.close();
    },
  };
}
