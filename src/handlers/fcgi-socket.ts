// The virtual socket node mode hands to a real http.Server (`server.emit('connection', socket)`: Node's
// http docs allow emitting 'connection' with any Duplex stream): its readable side carries the rebuilt request head and the FastCGI STDIN body, its
// writable side receives what http.ServerResponse writes. EOF is never pushed before the response is
// complete (http.Server ends a socket whose input ended, before an async handler answers).
import { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';

export interface SocketSink {
  /** Bytes the server wrote; the returned promise is the backpressure. */
  write(data: Buffer): Promise<void>;
  /** The server ended its side: the response is complete. */
  end(): void;
}

export class FcgiSocket extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** Express's req.secure / req.protocol read this (HTTPS=on from the web server). */
  readonly encrypted: boolean;
  /** Which script this request runs, for the server's error log lines. */
  readonly where: string;
  readonly #sink: SocketSink;
  #source: Readable | undefined;

  constructor(
    sink: SocketSink,
    peer: {
      remoteAddress?: string;
      remotePort?: number;
      localAddress?: string;
      localPort?: number;
      encrypted: boolean;
    },
    where: string,
  ) {
    super({ allowHalfOpen: true });
    this.where = where;
    this.#sink = sink;
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.localAddress = peer.localAddress;
    this.localPort = peer.localPort;
    this.encrypted = peer.encrypted;
  }

  /** Sends the head, then the body (chunk-framed if asked), following the server's read pace. */
  feed(head: Buffer, body: Readable | undefined, chunked: boolean): void {
    this.push(head);
    if (body === undefined) {
      if (chunked) this.push('0\r\n\r\n');
      return;
    }
    this.#source = body;
    body.on('data', (chunk: Buffer) => {
      const ok = chunked
        ? this.push(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))
        : this.push(chunk);
      if (!ok) body.pause();
    });
    body.once('end', () => {
      if (chunked) this.push('0\r\n\r\n');
    });
    body.once('error', (err) => this.destroy(err));
  }

  override _read(): void {
    this.#source?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#sink.write(chunk).then(() => callback(), callback);
  }

  // http.ServerResponse corks the socket: without writev every corked piece would be a separate write.
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#sink.write(Buffer.concat(chunks.map((c) => c.chunk))).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#sink.end();
    callback();
  }

  // net.Socket methods http.Server calls; there is no real socket underneath.
  setTimeout(_ms: number, _callback?: () => void): this {
    return this;
  }
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }
  setKeepAlive(_enable?: boolean, _delay?: number): this {
    return this;
  }
  destroySoon(): void {
    this.end();
  }
}
