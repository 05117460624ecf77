// A headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: the
// browser reads commands on its fd 3 and writes replies on its fd 4, each a JSON text ended by a NUL
// byte). The page runs in real time (unlike --virtual-time-budget), and the test reads its DOM when it
// wants to. Only the few commands the tests need.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

interface Reply {
  readonly id?: number;
  readonly result?: unknown;
  readonly error?: { readonly message: string };
}

export class ChromiumPage {
  readonly #proc: ChildProcess;
  readonly #out: Writable;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #nextId = 1;
  #sessionId: string | undefined;

  private constructor(proc: ChildProcess) {
    this.#proc = proc;
    this.#out = proc.stdio[3] as Writable;
    let buffered = Buffer.alloc(0);
    (proc.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let end = buffered.indexOf(0); end !== -1; end = buffered.indexOf(0)) {
        const reply = JSON.parse(buffered.subarray(0, end).toString('utf8')) as Reply;
        buffered = buffered.subarray(end + 1);
        if (reply.id !== undefined) this.#pending.get(reply.id)?.(reply);
      }
    });
  }

  /** Starts the browser and opens `url` in a new tab. */
  static async open(binary: string, flags: readonly string[], url: string): Promise<ChromiumPage> {
    const proc = spawn(binary, [...flags, '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    const page = new ChromiumPage(proc);
    const { targetId } = (await page.#send('Target.createTarget', { url })) as { targetId: string };
    const { sessionId } = (await page.#send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    page.#sessionId = sessionId;
    return page;
  }

  /** Evaluates `expression` in the page; its value (JSON-able). */
  async evaluate(expression: string): Promise<unknown> {
    const { result } = (await this.#send('Runtime.evaluate', { expression, returnByValue: true })) as {
      result: { value?: unknown };
    };
    return result.value;
  }

  /** Closes the browser and resolves once it has exited (its profile directory can go then). */
  async close(): Promise<void> {
    const proc = this.#proc;
    const exited = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });
    const within = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
    await Promise.race([this.#send('Browser.close', {}, false).then(() => exited), within(5000)]);
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await Promise.race([exited, within(5000)]);
    }
  }

  #send(method: string, params: object, inSession = true): Promise<unknown> {
    const id = this.#nextId++;
    const message = {
      id,
      method,
      params,
      ...(inSession && this.#sessionId !== undefined ? { sessionId: this.#sessionId } : {}),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer from chromium`)), 30_000);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        if (reply.error !== undefined) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result);
      });
      this.#out.write(`${JSON.stringify(message)}\0`);
    });
  }
}
