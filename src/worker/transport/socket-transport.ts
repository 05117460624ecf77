// A Transport over a net.Socket: connections the master hands over (ondemand, dynamic dispatch) arrive
// as sockets, and it is the fallback when the bare stream handle is not usable.
import type { Socket } from 'node:net';
import { ConnectionClosedError } from '../../request/response-sink.js';
import { RESOLVED, type Transport } from './transport.js';

const uncork = (socket: Socket): void => {
  while (socket.writableCorked > 0) socket.uncork();
};

export class SocketTransport implements Transport {
  readonly #socket: Socket;
  /** The error the socket broke with, for the close listeners. */
  #failure: Error | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('error', (err) => {
      this.#failure = err;
    });
  }

  get closed(): boolean {
    return this.#socket.destroyed;
  }

  get writable(): boolean {
    return !this.#socket.destroyed && this.#socket.writable;
  }

  get pendingBytes(): number {
    return this.#socket.writableLength;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.#socket.on('data', listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.#socket.once('close', () => listener(this.#failure));
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  write(bytes: Buffer, onWritten?: () => void): boolean {
    // Corked until the loop's check phase: a response's head, body and END_REQUEST are written a few
    // promise hops apart and should still leave in one system call.
    const socket = this.#socket;
    if (socket.writableCorked === 0) {
      socket.cork();
      setImmediate(uncork, socket);
    }
    if (onWritten === undefined) return socket.write(bytes);
    return socket.write(bytes, (err) => {
      if (err === undefined || err === null) onWritten();
    });
  }

  whenDrained(): Promise<void> {
    const socket = this.#socket;
    if (socket.writableNeedDrain === false) return RESOLVED;
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

  flush(): void {
    uncork(this.#socket);
  }

  end(): void {
    this.#socket.end(); // sends what is corked with it
  }

  destroy(): void {
    this.#socket.destroy();
  }

  setNoDelay(): void {
    this.#socket.setNoDelay(true);
  }

  remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }
}
