// The parts of the behaviour matrix that make sense for Debian's libfcgi client
// (`cgi-fcgi -bind -connect ADDR`: its environment becomes PARAMS, its stdin STDIN, and it prints
// STDOUT raw, Status: line included): GET, POST, a 20 MiB echo, a 5 MiB download, headers both ways,
// status codes, a redirect, 500, a client killed mid-request, 50 clients at once. One daemon, both
// transports.
//
// cgi-fcgi misreads a record header that arrives split across two of its 8 KiB reads (it copies the
// second part to the wrong address): it then exits 254 or, silently, changes a byte of the body. It
// hit the 20 MiB echo over TCP in ~4% of runs while tsfpm sent held output in the script's record
// sizes; held output now goes out in full 64 KiB records, headers on 8 KiB boundaries
// (src/fastcgi/stdout-reframer.ts), as PHP-FPM's 8 KiB records are.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { FcgiAddress } from '../../helpers/fcgi-client.js';
import { listenText } from '../../helpers/fcgi-client.js';
import { pseudoRandomBytes, sha256 } from '../../helpers/http-client.js';
import { findTool } from '../../helpers/tools.js';
import { withDeadline } from '../../helpers/wait-for.js';
import { makeMatrixDocroot } from '../matrix/docroot.js';
import { startMatrixDaemon, type MatrixDaemon } from '../matrix/matrix-daemon.js';
import { missingToolReason, SuiteScope } from '../matrix/suite-scope.js';

interface CgiResult {
  readonly code: number | null;
  readonly status: number;
  /** Header lines as [lower-case name, value]. */
  readonly headers: readonly [string, string][];
  readonly body: Buffer;
  readonly stderr: string;
}

function header(res: CgiResult, name: string): string[] {
  return res.headers.filter(([n]) => n === name).map(([, v]) => v);
}

function parseCgiOutput(stdout: Buffer, code: number | null, stderr: string): CgiResult {
  const split = stdout.indexOf('\r\n\r\n');
  if (split < 0)
    throw new Error(
      `no header block in cgi-fcgi output (exit ${code}): ${stdout.subarray(0, 200).toString()} ${stderr}`,
    );
  const headers = stdout
    .subarray(0, split)
    .toString('latin1')
    .split('\r\n')
    .map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    });
  const statusLine = headers.find(([n]) => n === 'status')?.[1] ?? '200';
  return { code, status: Number(statusLine.split(' ')[0]), headers, body: stdout.subarray(split + 4), stderr };
}

const skip = missingToolReason('cgi-fcgi', 'libfcgi-bin');

void describe(
  'cgi-fcgi -bind -connect → tsfpm: the behaviour matrix',
  skip === undefined ? { timeout: 120_000 } : { skip },
  () => {
    const scope = new SuiteScope();
    let backend: (MatrixDaemon & { docroot: string }) | undefined;
    const binary = findTool('cgi-fcgi') ?? 'cgi-fcgi';
    before(async () => {
      backend = { ...(await startMatrixDaemon(scope)), docroot: makeMatrixDocroot(scope) };
    });
    after(() => scope.runAll());
    const b = (): MatrixDaemon & { docroot: string } => {
      if (backend === undefined) throw new Error('the daemon did not start');
      return backend;
    };

    /** Runs one request; `onSpawn` may kill the client (the abort case). */
    const run = (
      address: FcgiAddress,
      uri: string,
      options: {
        method?: string;
        body?: Buffer;
        env?: Record<string, string>;
        onSpawn?: (child: ChildProcess) => void;
      } = {},
    ): Promise<CgiResult> => {
      const [path = '', query = ''] = uri.split('?');
      const child = spawn(binary, ['-bind', '-connect', listenText(address)], {
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          SCRIPT_FILENAME: `${b().docroot}/${path}`,
          SCRIPT_NAME: `/${path}`,
          REQUEST_URI: `/${uri}`,
          DOCUMENT_ROOT: b().docroot,
          QUERY_STRING: query,
          REQUEST_METHOD: options.method ?? 'GET',
          SERVER_NAME: 'localhost',
          SERVER_PORT: '80',
          SERVER_PROTOCOL: 'HTTP/1.1',
          GATEWAY_INTERFACE: 'CGI/1.1',
          REMOTE_ADDR: '127.0.0.1',
          ...(options.body === undefined
            ? {}
            : { CONTENT_LENGTH: String(options.body.length), CONTENT_TYPE: 'application/octet-stream' }),
          ...options.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      options.onSpawn?.(child);
      const out: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.body ?? Buffer.alloc(0));
      const done = new Promise<CgiResult>((resolve, reject) => {
        child.once('close', (code) => {
          try {
            resolve(parseCgiOutput(Buffer.concat(out), code, stderr));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
      return withDeadline(done, 30_000, `cgi-fcgi ${uri}`).finally(() => child.kill('SIGKILL'));
    };

    const matrixCase = (title: string, fn: (address: FcgiAddress) => Promise<void>): void => {
      for (const kind of ['unix', 'tcp'] as const) {
        void it(`${title} (${kind})`, { timeout: 60_000 }, async () => {
          try {
            await fn(b()[kind]);
          } catch (err) {
            throw b().fpm.withLog(err);
          }
        });
      }
    };

    matrixCase('GET hello.mjs: headers and body, no Status: line for a 200', async (address) => {
      const res = await run(address, 'hello.mjs?x=1');
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.status, 200);
      assert.equal(header(res, 'status').length, 0);
      assert.deepEqual(header(res, 'content-type'), ['text/plain; charset=utf-8']);
      assert.equal(res.body.toString(), 'Hello from tsfpm\n');
    });

    matrixCase('a 20 MiB POST to echo.mjs comes back byte for byte', async (address) => {
      const data = pseudoRandomBytes(20 * 1024 * 1024, 0xc0ffee);
      const res = await run(address, 'echo.mjs', { method: 'POST', body: data });
      // cgi-fcgi exits with the app status, or with its own -2/-3 when it misreads the stream.
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.status, 200);
      assert.equal(res.body.length, data.length);
      assert.equal(sha256(res.body), sha256(data));
    });

    matrixCase('a 5 MiB download from big.mjs arrives whole', async (address) => {
      const bytes = 5 * 1024 * 1024;
      const res = await run(address, `big.mjs?bytes=${bytes}`);
      const want = Buffer.allocUnsafe(bytes);
      for (let i = 0; i < bytes; i++) want[i] = i % 251;
      assert.equal(res.body.length, bytes);
      assert.equal(sha256(res.body), sha256(want));
    });

    matrixCase(
      'HTTP_* variables reach the script as request headers; both Set-Cookie lines come back',
      async (address) => {
        const res = await run(address, 'headers.mjs', {
          env: { HTTP_X_MATRIX_REQUEST: 'one, two', HTTP_COOKIE: 'c1=v1' },
        });
        const seen = JSON.parse(res.body.toString()) as Record<string, string>;
        assert.equal(seen['x-matrix-request'], 'one, two');
        assert.equal(seen['cookie'], 'c1=v1');
        assert.deepEqual(header(res, 'set-cookie'), [
          'session=abc; Path=/; HttpOnly',
          'theme=dark; Path=/; Max-Age=60',
        ]);
        assert.deepEqual(header(res, 'x-matrix'), ['response-header']);
      },
    );

    matrixCase(
      'Status: 418 from a script, 404 File not found. for a missing one, 302 with Location, 500 from a throw',
      async (address) => {
        const teapot = await run(address, 'status-418.mjs');
        assert.equal(teapot.status, 418);
        const missing = await run(address, 'no-such-script.mjs');
        assert.equal(missing.status, 404);
        assert.equal(missing.body.toString(), 'File not found.\n');
        assert.match(missing.stderr, /Primary script unknown/);
        const redirect = await run(address, 'redirect.mjs?to=https%3A%2F%2Fexample.org%2Fx');
        assert.equal(redirect.status, 302);
        assert.deepEqual(header(redirect, 'location'), ['https://example.org/x']);
        const thrown = await run(address, 'throws.mjs');
        assert.equal(thrown.status, 500);
      },
    );

    matrixCase('a client killed mid-request: the script sees the abort, then normal service', async (address) => {
      const fpm = b().fpm;
      const mark = fpm.logMark;
      const marker = fpm.marker();
      let client: ChildProcess | undefined;
      const slow = run(address, `slow.mjs?ms=20000&${marker.query}`, { onSpawn: (child) => (client = child) }).catch(
        () => undefined,
      );
      await marker.started();
      client?.kill('SIGKILL');
      await marker.aborted(15_000);
      await slow;
      for (let i = 0; i < 10; i++)
        assert.equal((await run(address, 'hello.mjs')).status, 200, `request ${i} after the abort`);
      assert.equal(fpm.log.find(/child \d+ exited/, mark), undefined, 'no child exited');
    });

    matrixCase('50 clients at once are all answered', async (address) => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_v, i) =>
          i % 2 === 0
            ? run(address, 'echo.mjs', { method: 'POST', body: Buffer.from(`request ${i}`) })
            : run(address, 'hello.mjs'),
        ),
      );
      const wrong = results.flatMap((res, i) =>
        res.status === 200 && res.body.toString() === (i % 2 === 0 ? `request ${i}` : 'Hello from tsfpm\n')
          ? []
          : [`#${i}: ${res.status}`],
      );
      assert.deepEqual(wrong, []);
    });
  },
);
