// The access log as a child runs it: the pool's format compiled once, per-request facts gathered at
// start (CPU, response head) only when the format needs them, one line at the end of each request.
import type { PoolConfig } from '../config/types.js';
import { compileAccessFormat, isSuppressed, type CompiledAccessFormat } from './access-format.js';
import { AccessLogWriter } from './access-log.js';
import { captureResponseHead, type StdoutWriter } from './response-head-capture.js';

/** What the access log reads of a request. */
export interface LoggedRequest {
  readonly params: Readonly<Record<string, string>>;
  /** The HTTP status sent; 0 when none was. */
  readonly status: number;
  readonly startedAtMs: number;
  /** Its STDOUT, wrapped at start when the format shows response headers (%o). */
  readonly response: StdoutWriter;
}

interface Started {
  readonly cpu: NodeJS.CpuUsage | undefined;
  readonly headers: (() => [string, string][]) | undefined;
}

export class ChildAccessLog {
  readonly #pool: PoolConfig;
  readonly #format: CompiledAccessFormat;
  readonly #writer: AccessLogWriter;
  readonly #started = new WeakMap<LoggedRequest, Started>();

  constructor(pool: PoolConfig, path: string) {
    this.#pool = pool;
    this.#format = compileAccessFormat(pool.accessFormat);
    this.#writer = new AccessLogWriter(path);
  }

  onStart(request: LoggedRequest): void {
    if (!this.#format.usesCpu && !this.#format.usesHeaders) return;
    this.#started.set(request, {
      cpu: this.#format.usesCpu ? process.cpuUsage() : undefined,
      headers: this.#format.usesHeaders ? captureResponseHead(request.response) : undefined,
    });
  }

  /** One line for a finished request (ping and status requests included, as php-fpm). */
  onFinish(
    request: LoggedRequest,
    facts: { readonly durationUs: number; readonly memoryBytes: number; readonly peer: string | undefined },
  ): void {
    const params = request.params;
    if (params['REQUEST_METHOD'] === undefined || params['REQUEST_METHOD'] === '') return; // not an HTTP request
    if (isSuppressed(this.#pool.accessSuppressPaths, { params, status: request.status })) return;
    const started = this.#started.get(request);
    const cpu = started?.cpu === undefined ? undefined : process.cpuUsage(started.cpu);
    this.#writer.write(
      this.#format.render({
        params,
        status: request.status,
        startedAtMs: request.startedAtMs,
        nowMs: Date.now(),
        durationUs: facts.durationUs,
        cpuUserUs: cpu?.user ?? 0,
        cpuSystemUs: cpu?.system ?? 0,
        memoryBytes: facts.memoryBytes,
        pool: this.#pool.name,
        pid: process.pid,
        ppid: process.ppid,
        peer: facts.peer,
        responseHeaders: started?.headers?.() ?? [],
      }),
    );
  }

  reopen(): void {
    this.#writer.reopen();
  }

  flush(): void {
    this.#writer.flush();
  }
}

/** The pool's access log, opened now (call before dropping privileges), or undefined when unset. */
export function openChildAccessLog(pool: PoolConfig): ChildAccessLog | undefined {
  if (pool.accessLog === undefined || pool.accessLog === '') return undefined;
  return new ChildAccessLog(pool, pool.accessLog);
}
