// A fake systemd NOTIFY_SOCKET: a unix datagram socket that records every datagram with the sender's
// SCM_CREDENTIALS pid. Node has no unix datagram sockets, so a few lines of python3 receive them and
// print one JSON object per datagram. File descriptors passed with BARRIER=1 are closed at once, as
// systemd does, so systemd-notify's barrier returns.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from './wait-for.js';

const RECEIVER = String.raw`
import json, os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print(json.dumps({"bound": True}), flush=True)
while True:
    data, ancillary, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(12) + socket.CMSG_SPACE(64))
    pid = None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", payload[:12])[0]
        elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for fd in struct.unpack("%di" % (len(payload) // 4), payload[: len(payload) - len(payload) % 4]):
                os.close(fd)
    print(json.dumps({"data": data.decode("utf-8", "replace"), "pid": pid}), flush=True)
`;

export interface Notification {
  /** The datagram's text, e.g. "READY=1\nSTATUS=…". */
  readonly data: string;
  /** Sender pid from SCM_CREDENTIALS. */
  readonly pid: number | null;
  /** Assignments split into lines. */
  readonly fields: readonly string[];
}

export class NotifySocket {
  readonly path: string;
  readonly notifications: Notification[] = [];
  readonly #process: ChildProcess;
  #bound = false;
  #stderr = '';

  constructor(python: string, path: string) {
    this.path = path;
    this.#process = spawn(python, ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.#process.stdout?.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.#onLine(line);
    });
    this.#process.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr += text;
    });
  }

  static async open(python: string, path: string): Promise<NotifySocket> {
    const socket = new NotifySocket(python, path);
    await waitFor(() => socket.#bound && existsSync(path), {
      timeoutMs: 10_000,
      what: `the fake NOTIFY_SOCKET at ${path}`,
      onTimeout: () => `\n${socket.#stderr}`,
    });
    return socket;
  }

  #onLine(line: string): void {
    if (line === '') return;
    const parsed = JSON.parse(line) as { bound?: boolean; data?: string; pid?: number | null };
    if (parsed.bound === true) {
      this.#bound = true;
      return;
    }
    const data = parsed.data ?? '';
    this.notifications.push({ data, pid: parsed.pid ?? null, fields: data.split('\n').filter((l) => l !== '') });
  }

  /** Index of the first notification at or after `from` with a field matching `pattern`. */
  indexOf(pattern: RegExp, from = 0): number {
    for (let i = from; i < this.notifications.length; i++) {
      if (this.notifications[i]?.fields.some((field) => pattern.test(field))) return i;
    }
    return -1;
  }

  /** Waits for a notification with a matching field (at or after `from`); resolves with its index. */
  async expect(pattern: RegExp, from = 0, timeoutMs = 15_000): Promise<number> {
    const at = await waitFor(
      () => {
        const index = this.indexOf(pattern, from);
        return index === -1 ? undefined : index + 1;
      },
      { timeoutMs, what: `a notification matching ${pattern}`, onTimeout: () => `\nreceived:\n${this.dump()}` },
    );
    return at - 1;
  }

  dump(): string {
    return this.notifications.map((n, i) => `  #${i} pid=${n.pid ?? '?'} ${JSON.stringify(n.data)}`).join('\n');
  }

  close(): void {
    this.#process.kill('SIGKILL');
  }
}
