// The byte pipe under one FastCGI connection, as the connection and its output channel use it. Two
// implementations: a net.Socket (connections handed over by the master, and the fallback) and a bare
// libuv stream handle (accepted by the child itself: the hot path, see stream-handle-transport.ts).
import { WRITTEN } from '../../request/response-sink.js';

/** What whenDrained() returns when there is room: the same promise as a write that went straight through. */
export const RESOLVED: Promise<void> = WRITTEN;

export interface Transport {
  /** Closed, or closing: nothing more is read or written. */
  readonly closed: boolean;
  /** Writes are still accepted (not ended, not closed). */
  readonly writable: boolean;
  /** Bytes accepted by write() and not yet handed to the kernel. */
  readonly pendingBytes: number;
  /** The one reader of incoming bytes (set once, before the first read). */
  onData(listener: (chunk: Buffer) => void): void;
  /** Called once when the connection is closed; `error` says why when it broke. */
  onClose(listener: (error?: Error) => void): void;
  /** Stops and restarts reading: backpressure from a script that does not read its body yet. */
  pause(): void;
  resume(): void;
  /**
   * Queues bytes; the writes of one event-loop turn leave together (one system call) unless flush()
   * sends them earlier. False when the caller should wait for whenDrained() before writing more.
   * `onWritten` is called once these bytes (and those before them) are with the kernel, so that their
   * buffer may be reused; never when the connection closes first.
   */
  write(bytes: Buffer, onWritten?: () => void): boolean;
  /** Resolves when the queued bytes have drained below the limit (RESOLVED when they already are); rejects with ConnectionClosedError when the connection closes first. */
  whenDrained(): Promise<void>;
  /** Sends the queued bytes now. */
  flush(): void;
  /** Sends the queued bytes, then closes gracefully (the peer sees the whole response, then EOF). */
  end(): void;
  /** Closes at once; queued bytes are dropped. */
  destroy(): void;
  /** TCP_NODELAY on a TCP connection; nothing on a unix socket. */
  setNoDelay(): void;
  /**
   * The peer's IP address; undefined on a unix socket. A system call: ask only when needed, and while
   * the connection is open (the answer is kept for later).
   */
  remoteAddress(): string | undefined;
}
