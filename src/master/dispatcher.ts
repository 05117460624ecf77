// ondemand pools: the master accepts on the pool's socket itself and hands each connection to a child
// (php-fpm's master watches the socket for the same reason: to know when a child is needed). One
// dispatcher per socket, kept across reloads; the pool serving the socket is swapped in.
import { createServer, type Server, type Socket } from 'node:net';
import type { ServerHandle } from './server-handle.js';

export type ConnectionTarget = (socket: Socket) => void;

export class Dispatcher {
  readonly #server: Server;
  #target: ConnectionTarget | undefined;

  constructor(handle: ServerHandle, backlog: number, onError: (err: Error) => void) {
    // Paused: not a byte may be read by the master, or it would be lost to the child.
    this.#server = createServer({ pauseOnConnect: true }, (socket) => {
      if (this.#target === undefined) socket.destroy();
      else this.#target(socket);
    });
    this.#server.on('error', onError);
    this.#server.listen(handle, backlog);
  }

  get target(): ConnectionTarget | undefined {
    return this.#target;
  }

  set target(target: ConnectionTarget | undefined) {
    this.#target = target;
  }

  close(): void {
    this.#server.close();
  }
}
