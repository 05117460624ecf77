// Hostile and well-behaved client crowds for the descriptor-exhaustion and slow-client tests and for
// the bench that measures them (test/bench/limits-daemon.ts): thousands of idle connections, heads or
// bodies trickled a byte a second, and a steady trickle of good requests whose share answered is the
// figure that matters. Raw sockets: a FcgiConnection per attacker would cost far more client memory.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { FCGI_PARAMS, FCGI_RESPONDER } from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { defaultParams, encodeRequest, fcgiRequest, type FcgiAddress } from './fcgi-client.js';

/** The soft "Max open files" of a process, from /proc (undefined when unreadable). */
export function openFileLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(
      readFileSync(`/proc/${pid}/limits`, 'utf8'),
    );
    if (line === null) return undefined;
    const value = (text: string | undefined): number => (text === 'unlimited' ? Infinity : Number(text));
    return { soft: value(line[1]), hard: value(line[2]) };
  } catch {
    return undefined;
  }
}

/**
 * Raises this process's own open-file limit to at least `wanted` with prlimit(1) (Node has no
 * setrlimit): a client holding thousands of sockets needs it. False when it cannot (not root above
 * the hard limit, no prlimit).
 */
export function raiseOwnFileLimit(wanted: number): boolean {
  const now = openFileLimit();
  if (now !== undefined && now.soft >= wanted) return true;
  const hard = now === undefined ? wanted : Math.max(now.hard, wanted);
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${hard}`], { stdio: 'ignore' });
  } catch {
    return false;
  }
  return (openFileLimit()?.soft ?? 0) >= wanted;
}

/** How the connections of a crowd behave once connected. */
export type CrowdKind =
  /** connects and sends nothing */
  | 'idle'
  /** a complete BEGIN_REQUEST, then the PARAMS one byte a second */
  | 'trickle-head'
  /** the whole head, then the request body one byte a second */
  | 'trickle-body';

export interface CrowdOptions {
  readonly address: FcgiAddress;
  readonly kind: CrowdKind;
  readonly connections: number;
  /** SCRIPT_FILENAME of the trickled requests (a script that reads its body, for 'trickle-body'). */
  readonly script: string;
  /** Open a new connection for each one the server closes (default true): the pressure stays. */
  readonly reconnect?: boolean;
}

/**
 * `connections` hostile connections held open (reopened when the server closes one), each sending
 * one byte a second when it trickles. Counts what the server did to them.
 */
export class Crowd {
  readonly #options: CrowdOptions;
  readonly #sockets = new Set<Socket>();
  readonly #progress = new Map<Socket, number>();
  readonly #head: Buffer;
  readonly #trickled: Buffer;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #connecting = 0;
  /** Connections opened so far (including reopened ones). */
  opened = 0;
  /** Connections the server closed. */
  closedByServer = 0;
  /** connect() failures (EAGAIN on a full unix-socket backlog, ECONNREFUSED...). */
  connectFailures = 0;

  constructor(options: CrowdOptions) {
    this.#options = options;
    const params = encodeParams(
      Object.entries(defaultParams({ scriptFilename: options.script, method: 'POST', body: 'x'.repeat(4096) })),
    );
    if (options.kind === 'trickle-head') {
      this.#head = encodeBeginRequest(1, FCGI_RESPONDER, 0);
      this.#trickled = Buffer.concat([encodeStream(FCGI_PARAMS, 1, params), encodeRecord(FCGI_PARAMS, 1)]);
    } else if (options.kind === 'trickle-body') {
      const request = encodeRequest({ scriptFilename: options.script, method: 'POST', body: 'x'.repeat(4096) });
      // The head (BEGIN_REQUEST, PARAMS and their end) goes at once; the STDIN records trickle.
      const headBytes = request.length - (8 + 4096 + 8);
      this.#head = request.subarray(0, headBytes);
      this.#trickled = request.subarray(headBytes);
    } else {
      this.#head = Buffer.alloc(0);
      this.#trickled = Buffer.alloc(0);
    }
  }

  get open(): number {
    return this.#sockets.size;
  }

  /** Opens the connections (in batches, retrying failed connects) and starts trickling. */
  async start(): Promise<void> {
    if (this.#options.kind !== 'idle') this.#timer = setInterval(() => this.#trickle(), 1000);
    const deadline = Date.now() + 60_000;
    while (!this.#stopped && this.#sockets.size + this.#connecting < this.#options.connections) {
      const missing = this.#options.connections - this.#sockets.size - this.#connecting;
      await Promise.all(Array.from({ length: Math.min(200, missing) }, () => this.#openOne()));
      if (Date.now() > deadline) break;
    }
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  #openOne(): Promise<void> {
    this.#connecting++;
    return new Promise<void>((resolve) => {
      const address = this.#options.address;
      const socket =
        address.kind === 'tcp' ? connect({ host: address.host, port: address.port }) : connect({ path: address.path });
      let connected = false;
      socket.on('data', () => undefined);
      socket.once('connect', () => {
        connected = true;
        this.#connecting--;
        if (this.#stopped) {
          // Stopped meanwhile: a socket left open here would sit half-sent in the server.
          socket.destroy();
          resolve();
          return;
        }
        this.opened++;
        this.#sockets.add(socket);
        this.#progress.set(socket, 0);
        if (this.#head.length > 0) socket.write(this.#head);
        resolve();
      });
      socket.on('error', () => undefined);
      socket.once('close', () => {
        if (!connected) {
          this.#connecting--;
          this.connectFailures++;
          // A failed connect is retried after a pause (the backlog may be full right now).
          setTimeout(resolve, 100);
          return;
        }
        this.#sockets.delete(socket);
        this.#progress.delete(socket);
        if (this.#stopped) return;
        this.closedByServer++;
        if (this.#options.reconnect ?? true) void this.#openOne();
      });
    });
  }

  #trickle(): void {
    for (const socket of this.#sockets) {
      const at = this.#progress.get(socket) ?? 0;
      if (at >= this.#trickled.length) continue;
      this.#progress.set(socket, at + 1);
      socket.write(this.#trickled.subarray(at, at + 1));
    }
  }
}

export interface GoodTrickleResult {
  readonly sent: number;
  readonly answered: number;
  /** The first few failures, as text. */
  readonly failures: readonly string[];
}

/**
 * `count` good requests spread evenly over `seconds`, each on a fresh connection and not waiting for
 * the previous one; answered means a 200 within `timeoutMs`.
 */
export async function goodTrickle(
  address: FcgiAddress,
  script: string,
  count: number,
  seconds: number,
  timeoutMs = 10_000,
): Promise<GoodTrickleResult> {
  let answered = 0;
  const failures: string[] = [];
  const gapMs = (seconds * 1000) / count;
  const pending: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    const due = start + i * gapMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      fcgiRequest(address, { scriptFilename: script }, timeoutMs).then(
        (res) => {
          if (res.status === 200) answered++;
          else if (failures.length < 10) failures.push(`status ${res.status}`);
        },
        (err: unknown) => {
          if (failures.length < 10)
            failures.push(err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err));
        },
      ),
    );
  }
  await Promise.all(pending);
  return { sent: count, answered, failures };
}
