// The same script set for every handler mode, end to end through real nginx: hello, env,
// body echo (20 MiB, sha256), 418 with a custom header and two cookies, redirect, 5 MiB response,
// slow 2 s, throws → 500, infinite loop → cut by request_terminate_timeout. One daemon and one nginx
// per mode, the checks run in order as subtests (the loop last: in inline modes it costs a child).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { chunksOf, httpRequest, pseudoRandomBytes, sha256 } from '../../helpers/http-client.js';
import { startNginx } from '../../helpers/nginx.js';
import { FIXTURE_SCRIPTS } from '../../helpers/paths.js';

export interface ModeSuite {
  readonly name: string;
  /** Directory under test/fixtures/scripts/modes. */
  readonly dir: string;
  /** Pool directives (handler, executor, security.limit_extensions, ...). */
  readonly poolExtra: string;
  /** Script file name per role, e.g. { hello: 'hello.mjs' }. */
  readonly file: (role: string) => string;
  /** nginx location suffixes. */
  readonly extensions: string;
  /** Expected sha256 of the 5 MiB response. */
  readonly bigSha256: string;
  /** Status of the infinite loop: 504 when the child can stop it, 502 when the master kills the child. */
  readonly loopStatus: number;
  /** Extra check of the env script's body. */
  readonly checkEnv: (body: string) => void;
}

export function patternSha256(length: number): string {
  const data = Buffer.alloc(length);
  for (let i = 0; i < length; i++) data[i] = i % 251;
  return sha256(data);
}

export function modeSuite(suite: ModeSuite): void {
  void test(`${suite.name}: the shared script set through nginx`, { timeout: 120_000 }, async (t) => {
    const fpm = await startDaemon(t, {
      listen: 'unix',
      vars: {
        MAX_CHILDREN: '2',
        POOL_EXTRA: `listen.mode = 0666\nrequest_terminate_timeout = 4s\nenv[POOL_VAR] = from-pool\n${suite.poolExtra}`,
      },
    });
    const nginx = await startNginx(t, {
      upstream: fpm.address,
      root: join(FIXTURE_SCRIPTS, 'modes', suite.dir),
      extensions: suite.extensions,
    });
    if (nginx === undefined) return;
    const url = (role: string, query = ''): string => `${nginx.baseUrl}/${suite.file(role)}${query}`;
    const withLogs = (err: unknown): Error => {
      const error = fpm.withLog(err);
      error.message += nginx.dump();
      return error;
    };
    const step = (name: string, fn: () => Promise<void>): Promise<void> =>
      t.test(name, async () => {
        try {
          await fn();
        } catch (err) {
          throw withLogs(err);
        }
      });

    await step('hello', async () => {
      const res = await httpRequest(url('hello'));
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'hello\n');
      assert.match(String(res.headers['content-type']), /^text\/plain/);
    });
    await step('HEAD hello: headers, no body', async () => {
      const res = await httpRequest(url('hello'), { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(res.bytes, 0);
    });
    await step('env', async () => {
      const res = await httpRequest(url('env', '?x=1&y=2'), { headers: { 'x-test': 'seen' } });
      assert.equal(res.status, 200);
      suite.checkEnv(res.body.toString());
    });
    await step('echo of a 20 MiB upload (sha256)', async () => {
      const data = pseudoRandomBytes(20 * 1024 * 1024);
      const res = await httpRequest(url('echo'), {
        method: 'POST',
        body: chunksOf(data, 256 * 1024),
        headers: { 'content-length': String(data.length) },
        hashOnly: true,
      });
      assert.equal(res.status, 200);
      assert.equal(res.bytes, data.length);
      assert.equal(res.sha256, sha256(data));
    });
    await step('418 with a custom header and two cookies', async () => {
      const res = await httpRequest(url('teapot'));
      assert.equal(res.status, 418);
      assert.equal(res.headers['x-custom'], 'yes');
      assert.deepEqual(
        res.headers['set-cookie']?.map((c) => c.split(';')[0]),
        ['a=1', 'b=2'],
      );
      assert.equal(res.body.toString(), "I'm a teapot\n");
    });
    await step('redirect', async () => {
      const res = await httpRequest(url('redirect'));
      assert.equal(res.status, 302);
      assert.equal(res.headers['location'], 'http://example.com/elsewhere');
    });
    await step('5 MiB response (sha256)', async () => {
      const res = await httpRequest(url('big'), { hashOnly: true });
      assert.equal(res.status, 200);
      assert.equal(res.bytes, 5 * 1024 * 1024);
      assert.equal(res.sha256, suite.bigSha256);
    });
    await step('slow 2 s', async () => {
      const res = await httpRequest(url('slow'));
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'slept\n');
    });
    await step('throws → 500, then 200', async () => {
      const res = await httpRequest(url('throws'));
      assert.equal(res.status, 500);
      assert.equal((await httpRequest(url('hello'))).status, 200);
    });
    await step(`infinite loop → ${suite.loopStatus} on request_terminate_timeout, then 200`, async () => {
      const res = await httpRequest(url('loop'), { timeoutMs: 20_000 });
      assert.equal(res.status, suite.loopStatus);
      await fpm.expectLog(/request_terminate_timeout|execution timed out/);
      const after = await httpRequest(url('hello'));
      assert.equal(after.status, 200);
    });
  });
}
