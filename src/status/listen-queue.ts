// Listen-queue figures of a listening socket, read from the kernel (php-fpm's 'listen queue' fields), without native
// addons. The socket is found by its inode (/proc/self/fd/<fd> → `socket:[inode]`), never by address:
// unix sockets are bound under a temporary name and renamed, so the kernel knows them by that name.
//
// Measured on Linux 6.x (see the observability tests): for a LISTEN socket /proc/net/tcp{,6} gives the
// current accept-queue length as rx_queue, but tx_queue is always 0 — the backlog is not there. The
// backlog comes from sock_diag, i.e. `ss` (iproute2): Recv-Q = queued, Send-Q = backlog, for TCP and
// unix sockets alike. So both come from `ss -lnHe` once a second (php-fpm does not measure unix sockets
// at all). /proc/net/tcp is only the fallback without ss: it lists every TIME_WAIT socket too, and
// under connection churn (tens of thousands of them) reading it once a second cost the master more CPU
// than the children spent on requests (bench: ~30 µs per request at 5k req/s).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';

export interface ListenQueueSample {
  /** Connections waiting in the accept queue now. */
  readonly queued: number;
  /** The accept queue's size (the effective backlog); undefined when the kernel did not say. */
  readonly backlog: number | undefined;
}

/** The inode of an open socket fd of this process, or undefined (not a socket, no /proc). */
export function socketInode(fd: number): number | undefined {
  try {
    const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** rx_queue of the LISTEN socket with this inode in /proc/net/tcp or tcp6 text. */
export function parseProcNetTcp(text: string, inode: number): number | undefined {
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (cols[3] !== '0A' || cols[9] !== String(inode)) continue;
    const rx = cols[4]?.split(':')[1];
    return rx === undefined ? undefined : parseInt(rx, 16);
  }
  return undefined;
}

/**
 * Recv-Q and Send-Q of the listening socket with this inode in `ss -lnHe -t` or `ss -lnHe -x` output.
 * With one family asked for, ss leaves out the Netid column; with several it prints it: both parse.
 */
export function parseSsListen(
  text: string,
  inode: number,
  kind: 'tcp' | 'unix',
): { queued: number; backlog: number } | undefined {
  // unix: [u_str] LISTEN <recv-q> <send-q> <path> <socket inode> * <peer> ... (ino: here is the path's inode)
  // tcp:  [tcp] LISTEN <recv-q> <send-q> <local> <peer> ... ino:<socket inode>
  const pattern =
    kind === 'unix'
      ? /^(?:u_str\s+)?LISTEN\s+(\d+)\s+(\d+)\s+.*?\s(\d+)\s+\*\s+\d+/
      : /^(?:tcp\s+)?LISTEN\s+(\d+)\s+(\d+)\s.*\bino:(\d+)\b/;
  for (const line of text.split('\n')) {
    const m = pattern.exec(line);
    if (m === null || Number(m[3]) !== inode) continue;
    return { queued: Number(m[1]), backlog: Number(m[2]) };
  }
  return undefined;
}

/** The `ss` run in progress: every probe that asks meanwhile shares its output. */
let running: Promise<string | undefined> | undefined;

/**
 * The listening TCP and unix sockets of the host, as `ss -lnHe -x -t` prints them. Every pool samples
 * on the same heartbeat, so one fork and exec serves them all instead of one per pool.
 */
function listeningSockets(): Promise<string | undefined> {
  running ??= new Promise<string | undefined>((resolve) => {
    execFile('ss', ['-lnHe', '-x', '-t'], { timeout: 2000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
      resolve(err === null ? stdout : undefined),
    );
  }).finally(() => {
    running = undefined;
  });
  return running;
}

async function readProcTcp(inode: number): Promise<number | undefined> {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const found = parseProcNetTcp(text, inode);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Samples one listening socket; each call asks the kernel once, through ss (shared with the other pools). */
export class ListenQueueProbe {
  readonly #inode: number | undefined;
  readonly #kind: 'tcp' | 'unix';
  /** The effective backlog, from the first sample that had it (it does not change while bound). */
  #backlog: number | undefined;

  constructor(fd: number | undefined, kind: 'tcp' | 'unix') {
    this.#inode = fd === undefined || fd < 0 ? undefined : socketInode(fd);
    this.#kind = kind;
  }

  get usable(): boolean {
    return this.#inode !== undefined;
  }

  async sample(): Promise<ListenQueueSample | undefined> {
    const inode = this.#inode;
    if (inode === undefined) return undefined;
    const ss = await listeningSockets();
    const found = ss === undefined ? undefined : parseSsListen(ss, inode, this.#kind);
    if (found !== undefined) {
      this.#backlog ??= found.backlog;
      return { queued: found.queued, backlog: this.#backlog };
    }
    if (this.#kind === 'unix') return undefined;
    const queued = await readProcTcp(inode);
    return queued === undefined ? undefined : { queued, backlog: this.#backlog };
  }
}
