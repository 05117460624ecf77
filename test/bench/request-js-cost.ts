// The JavaScript part of a request alone: `node dist/test/bench/request-js-cost.js [checkout]` runs a
// child's Connection and request runner (from `checkout`'s dist/, this one by default) over an
// in-memory transport, no socket and no system call, and feeds it the records nginx sends for a GET
// with keepalive, one request after the other. It prints the CPU time per request (process.cpuUsage,
// user and system apart) for hello (conf/www/hello.mjs) and the 30 KB and 1 MiB pages of
// test/bench/www/pages-fetch.mjs: medians of BATCHES batches after a warm-up. Pointing it at another
// checkout measures a before/after in one sitting with the same scripts and input.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FCGI_KEEP_CONN, FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN } from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import type { PoolConfig } from '../../src/config/types.js';
import type { Connection } from '../../src/worker/connection.js';
import type { ConnectionOptions } from '../../src/worker/connection-options.js';
import type { ServedRunner } from '../../src/worker/connection-request.js';
import { REPO_ROOT } from '../helpers/paths.js';

const BATCHES = 7;
const BATCH = Number(process.env['BENCH_BATCH'] ?? 20_000);
const root = resolve(process.argv[2] ?? REPO_ROOT);
const load = (path: string): Promise<Record<string, unknown>> =>
  import(pathToFileURL(join(root, 'dist', 'src', path)).href) as Promise<Record<string, unknown>>;

interface Modules {
  readonly Connection: new (transport: unknown, options: ConnectionOptions) => Connection;
  readonly createRequestRunner: (pool: PoolConfig) => ServedRunner;
  readonly loadConfig: (opts: { configFile: string; allowRoot: boolean }) => {
    ok: boolean;
    config?: { pools: PoolConfig[] };
  };
  readonly installFastResponse: () => void;
}

async function modules(): Promise<Modules> {
  return {
    Connection: (await load('worker/connection.js'))['Connection'] as Modules['Connection'],
    createRequestRunner: (await load('worker/run-request.js'))['createRequestRunner'] as Modules['createRequestRunner'],
    loadConfig: (await load('config/load.js'))['loadConfig'] as Modules['loadConfig'],
    installFastResponse: (await load('handlers/fast-response.js'))['installFastResponse'] as () => void,
  };
}

/** A transport that takes every write at once and lets the kernel side be nothing. */
class NullTransport {
  readonly writable = true;
  bytes = 0;
  #onData: ((chunk: Buffer) => void) | undefined;
  onData(listener: (chunk: Buffer) => void): void {
    this.#onData = listener;
  }
  onClose(): void {}
  pause(): void {}
  resume(): void {}
  write(bytes: Buffer, onWritten?: () => void): boolean {
    this.bytes += bytes.length;
    onWritten?.();
    return true;
  }
  whenDrained(): Promise<void> {
    return Promise.resolve();
  }
  flush(): void {}
  end(): void {}
  destroy(): void {}
  setNoDelay(): void {}
  remoteAddress(): string | undefined {
    return undefined;
  }
  deliver(bytes: Buffer): void {
    this.#onData?.(bytes);
  }
}

/** The records nginx sends for `GET uri` with fastcgi_keep_conn on (its stock fastcgi_params). */
function nginxGet(script: string, uri: string): Buffer {
  const pairs: [string, string][] = [
    ['QUERY_STRING', ''],
    ['REQUEST_METHOD', 'GET'],
    ['CONTENT_TYPE', ''],
    ['CONTENT_LENGTH', ''],
    ['SCRIPT_NAME', uri],
    ['REQUEST_URI', uri],
    ['DOCUMENT_URI', uri],
    ['DOCUMENT_ROOT', '/srv/www'],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['REQUEST_SCHEME', 'http'],
    ['GATEWAY_INTERFACE', 'CGI/1.1'],
    ['SERVER_SOFTWARE', 'nginx/1.22.1'],
    ['REMOTE_ADDR', '127.0.0.1'],
    ['REMOTE_PORT', '51234'],
    ['SERVER_ADDR', '127.0.0.1'],
    ['SERVER_PORT', '8080'],
    ['SERVER_NAME', ''],
    ['REDIRECT_STATUS', '200'],
    ['SCRIPT_FILENAME', script],
    ['HTTP_HOST', '127.0.0.1:8080'],
  ];
  return Buffer.concat([
    encodeBeginRequest(1, FCGI_RESPONDER, FCGI_KEEP_CONN),
    encodeStream(FCGI_PARAMS, 1, encodeParams(pairs)),
    encodeRecord(FCGI_PARAMS, 1),
    encodeRecord(FCGI_STDIN, 1),
  ]);
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

async function main(): Promise<void> {
  const m = await modules();
  m.installFastResponse();
  const dir = mkdtempSync(join(tmpdir(), 'tsfpm-js-cost-'));
  const conf = join(dir, 'tsfpm.conf');
  writeFileSync(
    conf,
    `[global]\npid = ${dir}/p.pid\nerror_log = ${dir}/e.log\n[www]\nlisten = ${dir}/s.sock\npm = static\npm.max_children = 1\n`,
  );
  const loaded = m.loadConfig({ configFile: conf, allowRoot: true });
  rmSync(dir, { recursive: true, force: true });
  const pool = loaded.config?.pools[0];
  if (!loaded.ok || pool === undefined) throw new Error(`cannot load the pool config: ${JSON.stringify(loaded)}`);
  const run = m.createRequestRunner(pool);
  const transport = new NullTransport();
  let finished: (() => void) | undefined;
  new m.Connection(transport, {
    pool: {
      name: 'www',
      outputBufferBytes: 1024 * 1024,
      maxBodyBytes: 0,
      requestQueueTimeoutMs: 0,
      requestHeadTimeoutMs: 0,
      requestBodyTimeoutMs: 0,
      requestBodyMinRate: 0,
    },
    session: {
      maxParamsBytes: 64 * 1024,
      roles: new Set([FCGI_RESPONDER]),
      values: { FCGI_MAX_CONNS: '10', FCGI_MAX_REQS: '10', FCGI_MPXS_CONNS: '0' },
    },
    run,
    peer: () => 'bench',
    onStart: () => undefined,
    onFinish: () => finished?.(),
    shouldClose: () => false,
  });

  const cases = [
    ['hello', nginxGet(join(REPO_ROOT, 'conf', 'www', 'hello.mjs'), '/hello.mjs')],
    ['30k', nginxGet(join(REPO_ROOT, 'test', 'bench', 'www', 'pages-fetch.mjs'), '/t/30k')],
    ['1m', nginxGet(join(REPO_ROOT, 'test', 'bench', 'www', 'pages-fetch.mjs'), '/t/1m')],
  ] as const;
  const serve = (request: Buffer): Promise<void> =>
    new Promise((done) => {
      finished = done;
      transport.deliver(request);
    });
  process.stdout.write(`${root}: µs of CPU per request, medians of ${BATCHES} batches (min–max)\n`);
  for (const [name, request] of cases) {
    const count = name === '1m' ? Math.max(50, BATCH >> 6) : BATCH;
    for (let i = 0; i < count; i++) await serve(request); // warm-up: the script loads, the JIT settles
    const users: number[] = [];
    const systems: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const before = process.cpuUsage();
      for (let i = 0; i < count; i++) await serve(request);
      const spent = process.cpuUsage(before);
      users.push(spent.user / count);
      systems.push(spent.system / count);
    }
    const sent = transport.bytes;
    await serve(request);
    const answer = transport.bytes - sent; // what one request wrote, to see it answered in full
    const range = (v: number[]): string => `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}`;
    process.stdout.write(
      `  ${name}: user ${median(users).toFixed(1)} (${range(users)}), system ${median(systems).toFixed(1)} (${range(systems)}); ${answer} bytes written per request\n`,
    );
  }
}

await main();
