// The behaviour matrix every HTTP client suite runs against one shared daemon and one web
// server (nginx, Apache httpd, Caddy): GET, POST body, 20 MiB upload echo, 5 MiB download, request
// and response headers (repeated Set-Cookie), 404 from tsfpm, 418 from a script, redirects, 500 from a
// throwing script, client aborts followed by normal service, and 100 concurrent requests. Zero failed
// requests is the bar: every answer is checked, not only counted.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Daemon } from '../../helpers/daemon.js';
import { chunksOf, httpRequest, pseudoRandomBytes, sha256 } from '../../helpers/http-client.js';
import { SuiteScope } from './suite-scope.js';

export interface MatrixTarget {
  /** The daemon behind the web server (markers, log). */
  readonly fpm: Daemon;
  /** `http://127.0.0.1:PORT/<prefix>/name` for a script in the matrix docroot. */
  url(path: string): string;
  /** The web server's logs, appended to failure messages. */
  dump(): string;
}

export interface MatrixOptions {
  /** Why the suite is skipped (a missing tool outside CI); undefined runs it. */
  readonly skip?: string | undefined;
  /** Starts (or reuses) the daemon and web server; cleanups go to `scope`. */
  readonly start: (scope: SuiteScope) => Promise<MatrixTarget>;
  /**
   * The web server closes the FastCGI request when its HTTP client goes away, so the script sees its
   * request's abort signal (nginx); Apache's mod_proxy_fcgi and Caddy 2.6's fastcgi transport let the
   * script finish instead (measured: no ABORT_REQUEST, no close while the script runs).
   */
  readonly abortReachesScript: boolean;
  /** Concurrent requests in the concurrency case (default 100). */
  readonly concurrency?: number;
}

type CaseFn = (s: MatrixTarget) => Promise<void>;

const UPLOAD_BYTES = 20 * 1024 * 1024;
const DOWNLOAD_BYTES = 5 * 1024 * 1024;

/** big.mjs's body: byte i is i % 251. */
function patternSha256(length: number): string {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = i % 251;
  return sha256(out);
}

/**
 * Registers the matrix as a describe() with one start for all its cases; `extra` adds client-specific
 * cases to the same suite (they get the started target).
 */
export function describeMatrix(
  name: string,
  options: MatrixOptions,
  extra?: (target: () => MatrixTarget) => void,
): void {
  const suiteOptions = options.skip === undefined ? { timeout: 240_000 } : { skip: options.skip };
  void describe(name, suiteOptions, () => {
    const scope = new SuiteScope();
    let started: MatrixTarget | undefined;
    const target = (): MatrixTarget => {
      if (started === undefined) throw new Error('the matrix target did not start (see the before hook)');
      return started;
    };
    before(async () => {
      started = await options.start(scope);
    });
    after(() => scope.runAll());

    /** A matrix case: a failure carries the daemon's log and the web server's logs. */
    const matrixCase = (title: string, fn: CaseFn): void => {
      void it(title, { timeout: 60_000 }, async () => {
        const s = target();
        try {
          await fn(s);
        } catch (err) {
          const error = s.fpm.withLog(err);
          error.message += s.dump();
          throw error;
        }
      });
    };

    matrixCase('GET hello.mjs is 200 with the body and content type', async (s) => {
      const res = await httpRequest(s.url('hello.mjs?x=1'));
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(res.body.toString(), 'Hello from tsfpm\n');
    });

    matrixCase('POST echo.mjs returns the body with its content type', async (s) => {
      const body = 'name=tsfpm&kind=fastcgi&emoji=\u{1F680}';
      const res = await httpRequest(s.url('echo.mjs'), {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(res.body.toString(), body);
    });

    matrixCase('a 5 MiB download from big.mjs arrives whole (sha256)', async (s) => {
      const res = await httpRequest(s.url(`big.mjs?bytes=${DOWNLOAD_BYTES}`), { hashOnly: true, timeoutMs: 50_000 });
      assert.equal(res.status, 200);
      assert.equal(res.bytes, DOWNLOAD_BYTES);
      assert.equal(res.sha256, patternSha256(DOWNLOAD_BYTES));
    });

    matrixCase(
      'request headers reach the script; its headers and both Set-Cookie lines reach the client',
      async (s) => {
        const res = await httpRequest(s.url('headers.mjs'), {
          headers: { 'x-matrix-request': 'one, two', cookie: 'c1=v1; c2=v2', 'user-agent': 'tsfpm-matrix/1' },
        });
        assert.equal(res.status, 200);
        const seen = JSON.parse(res.body.toString()) as Record<string, string>;
        assert.equal(seen['x-matrix-request'], 'one, two');
        assert.equal(seen['cookie'], 'c1=v1; c2=v2');
        assert.equal(seen['user-agent'], 'tsfpm-matrix/1');
        assert.equal(res.headers['x-matrix'], 'response-header');
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.deepEqual(res.headers['set-cookie'], [
          'session=abc; Path=/; HttpOnly',
          'theme=dark; Path=/; Max-Age=60',
        ]);
      },
    );

    matrixCase("a script's 418 with its header and cookies; a missing script is tsfpm's 404", async (s) => {
      const teapot = await httpRequest(s.url('status-418.mjs'));
      assert.equal(teapot.status, 418);
      assert.equal(teapot.headers['x-fixture'], 'teapot');
      assert.deepEqual(teapot.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
      assert.equal(teapot.body.toString(), "I'm a teapot\n");
      const missing = await httpRequest(s.url('no-such-script.mjs'));
      assert.equal(missing.status, 404);
      assert.equal(missing.body.toString(), 'File not found.\n', "the body is tsfpm's, not the web server's");
    });

    matrixCase('a 302 keeps its Location, absolute or relative', async (s) => {
      const absolute = await httpRequest(
        s.url(`redirect.mjs?to=${encodeURIComponent('https://example.org/elsewhere?a=1')}`),
      );
      assert.equal(absolute.status, 302);
      assert.equal(absolute.headers.location, 'https://example.org/elsewhere?a=1');
      const relative = await httpRequest(s.url('redirect.mjs'));
      assert.equal(relative.status, 302);
      assert.equal(relative.headers.location, '/hello.mjs');
    });

    matrixCase('a throwing script is 500 and the next request is 200', async (s) => {
      const res = await httpRequest(s.url('throws.mjs'));
      assert.equal(res.status, 500);
      const next = await httpRequest(s.url('hello.mjs'));
      assert.equal(next.status, 200);
    });

    matrixCase(
      'a client that gives up mid-request or mid-upload, then normal service with no child lost',
      async (s) => {
        const mark = s.fpm.logMark;
        const marker = s.fpm.marker();
        const slow = request(s.url(`slow.mjs?ms=3000&${marker.query}`));
        slow.on('error', () => undefined); // destroyed on purpose
        slow.end();
        await marker.started();
        slow.destroy();
        if (options.abortReachesScript) await marker.aborted(15_000);

        // Half of a declared 4 MiB body, then the connection goes away.
        const upload = request(s.url('sha256.mjs'), {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(4 * 1024 * 1024) },
        });
        upload.on('error', () => undefined);
        await new Promise<void>((resolve) => upload.write(pseudoRandomBytes(2 * 1024 * 1024), () => resolve()));
        upload.destroy();

        for (let i = 0; i < 20; i++) {
          const res = await httpRequest(s.url('hello.mjs'));
          assert.equal(res.status, 200, `request ${i} after the aborts`);
        }
        const posted = await httpRequest(s.url('sha256.mjs'), { method: 'POST', body: 'after the abort' });
        assert.deepEqual(JSON.parse(posted.body.toString()), { bytes: 15, sha256: sha256('after the abort') });
        assert.equal(s.fpm.log.find(/child \d+ exited/, mark), undefined, 'no child exited');
      },
    );

    matrixCase(`${options.concurrency ?? 100} concurrent requests are all answered right`, async (s) => {
      const count = options.concurrency ?? 100;
      const want = (i: number): string =>
        i % 4 === 0 ? `request ${i}` : i % 4 === 1 ? 'slept 50 ms\n' : 'Hello from tsfpm\n';
      const results = await Promise.all(
        Array.from({ length: count }, (_v, i) =>
          i % 4 === 0
            ? httpRequest(s.url('echo.mjs'), {
                method: 'POST',
                body: `request ${i}`,
                headers: { 'content-type': 'text/plain' },
              })
            : httpRequest(s.url(i % 4 === 1 ? 'slow.mjs?ms=50' : 'hello.mjs')),
        ),
      );
      const wrong = results.flatMap((res, i) =>
        res.status === 200 && res.body.toString() === want(i)
          ? []
          : [`#${i}: ${res.status} ${res.body.toString().slice(0, 80)}`],
      );
      assert.deepEqual(wrong, [], `${wrong.length} of ${count} requests failed`);
    });

    extra?.(target);

    // Last, so the connections it leaves kept are the ones the next requests reuse (a kept connection
    // once stayed paused after a large echo: src/request/request-body.ts finish()).
    matrixCase(
      'a 20 MiB upload to echo.mjs comes back byte for byte (sha256), and the next requests are answered',
      async (s) => {
        const data = pseudoRandomBytes(UPLOAD_BYTES, 0x8badf00d);
        const res = await httpRequest(s.url('echo.mjs'), {
          method: 'POST',
          body: chunksOf(data, 64 * 1024),
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
          hashOnly: true,
          timeoutMs: 30_000,
        });
        assert.equal(res.status, 200);
        assert.equal(res.bytes, data.length);
        assert.equal(res.sha256, sha256(data));
        // A kept upstream connection that carried the echo must serve the next requests.
        for (let i = 0; i < 10; i++) {
          const next = await httpRequest(s.url('hello.mjs'), { timeoutMs: 10_000 });
          assert.equal(next.status, 200, `request ${i} after the echo`);
        }
      },
    );
  });
}
