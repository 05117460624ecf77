// `tsfpm request` and `tsfpm status` against tsfpm itself: the response is printed, the exit
// status is 0 only on 2xx, and every failure (refused, timeout, non-2xx, bad usage) says what happened.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { listenText } from '../helpers/fcgi-client.js';
import { getFreePort } from '../helpers/free-port.js';
import { describeResult, runTsfpm } from '../helpers/tsfpm-cli.js';

const PROBE = `export default async function (request) {
  const url = new URL(request.url);
  const body = request.body ? await request.text() : '';
  return new Response(JSON.stringify({
    method: request.method, path: url.pathname, query: url.search,
    probe: request.headers.get('x-probe'), type: request.headers.get('content-type'), body,
  }), { headers: { 'content-type': 'application/json', 'x-reply': 'yes' } });
}
`;

function probeScript(fpm: Daemon): string {
  const path = join(fpm.dir.path, 'probe.mjs');
  writeFileSync(path, PROBE);
  return path;
}

void test('tsfpm request against tsfpm', { timeout: 60_000 }, async (t) => {
  const fpm = await startDaemon(t, { vars: { POOL_EXTRA: 'pm.status_path = /status' } });
  const connect = ['--connect', listenText(fpm.address)];

  await t.test('GET prints the headers and the body; exit 0', async () => {
    const result = await runTsfpm(['request', ...connect, fpm.script('hello.mjs')]);
    assert.equal(result.code, 0, describeResult(result));
    assert.match(result.stdout, /^content-type: text\/plain/im);
    assert.match(result.stdout, /\r?\n\r?\nHello/);
  });

  await t.test('method, headers, query, body from a file, --body-only', async () => {
    const script = probeScript(fpm);
    const bodyFile = join(fpm.dir.path, 'body.txt');
    writeFileSync(bodyFile, 'a=1&b=2');
    const result = await runTsfpm([
      'request',
      ...connect,
      '-X',
      'PUT',
      '-H',
      'X-Probe: hello',
      '-H',
      'Content-Type: text/plain',
      '-d',
      `@${bodyFile}`,
      '--body-only',
      `${script}?x=1`,
    ]);
    assert.equal(result.code, 0, describeResult(result));
    const echoed = JSON.parse(result.stdout) as Record<string, string>;
    assert.deepEqual(echoed, {
      method: 'PUT',
      path: script,
      query: '?x=1',
      probe: 'hello',
      type: 'text/plain',
      body: 'a=1&b=2',
    });
  });

  await t.test('-d @- reads stdin and defaults to POST', async () => {
    const result = await runTsfpm(['request', ...connect, '-b', '-d', '@-', probeScript(fpm)], { input: 'from stdin' });
    assert.equal(result.code, 0, describeResult(result));
    const echoed = JSON.parse(result.stdout) as Record<string, string>;
    assert.equal(echoed['method'], 'POST');
    assert.equal(echoed['body'], 'from stdin');
  });

  await t.test('a non-2xx status prints the response and exits 1', async () => {
    const result = await runTsfpm(['request', ...connect, fpm.script('status-418.mjs')]);
    assert.equal(result.code, 1, describeResult(result));
    assert.match(result.stdout, /teapot/);
    assert.match(result.stderr, /the response status is 418/);
  });

  await t.test('--health asks ping.path and prints pong', async () => {
    const result = await runTsfpm(['request', ...connect, '--health']);
    assert.equal(result.code, 0, describeResult(result));
    assert.equal(result.stdout, 'pong\n');
    const wrong = await runTsfpm(['request', ...connect, '--health', '--path', '/no-such-ping']);
    assert.equal(wrong.code, 1, describeResult(wrong));
  });

  await t.test('TSFPM_CONNECT sets the address', async () => {
    const result = await runTsfpm(['request', '--health'], { env: { TSFPM_CONNECT: listenText(fpm.address) } });
    assert.equal(result.code, 0, describeResult(result));
  });

  await t.test('--timeout: a slow response exits 1 with a timeout message', async () => {
    const result = await runTsfpm(['request', ...connect, '--timeout', '300', `${fpm.script('slow.mjs')}?ms=5000`]);
    assert.equal(result.code, 1, describeResult(result));
    assert.match(result.stderr, /timeout: no complete response from .* within 300 ms/);
  });

  await t.test('tsfpm status prints a table, --json the raw page', async () => {
    const table = await runTsfpm(['status', ...connect]);
    assert.equal(table.code, 0, describeResult(table));
    assert.match(table.stdout, /^pool: +www$/m);
    assert.match(table.stdout, /^process manager: +static$/m);
    assert.match(table.stdout, /^pid +state +/m);
    const json = await runTsfpm(['status', ...connect, '--json']);
    assert.equal(json.code, 0, describeResult(json));
    const page = JSON.parse(json.stdout) as { pool: string; processes: unknown[] };
    assert.equal(page.pool, 'www');
    assert.equal(page.processes.length, 2);
    const wrong = await runTsfpm(['status', ...connect, '--path', '/nope']);
    assert.equal(wrong.code, 1, describeResult(wrong));
    assert.match(wrong.stderr, /pm.status_path/);
  });
});

void test('tsfpm request: refused connections, missing sockets and bad usage', async () => {
  const port = await getFreePort();
  const refused = await runTsfpm(['request', '--connect', `127.0.0.1:${port}`, '/x.mjs']);
  assert.equal(refused.code, 1, describeResult(refused));
  assert.match(refused.stderr, new RegExp(`connection refused: nothing listens on 127\\.0\\.0\\.1:${port}`));
  const missing = await runTsfpm(['request', '--connect', '/nonexistent/fpm.sock', '--health']);
  assert.equal(missing.code, 1, describeResult(missing));
  assert.match(missing.stderr, /no such socket: unix:\/nonexistent\/fpm.sock/);
  for (const args of [
    ['request'],
    ['request', '--bogus', 'x'],
    ['request', '--connect', 'nonsense', 'x'],
    ['status', 'extra'],
  ]) {
    const usage = await runTsfpm(args);
    assert.equal(usage.code, 64, `${args.join(' ')}: ${describeResult(usage)}`);
    assert.match(usage.stderr, /Usage: tsfpm (request|status)|invalid address/);
  }
  const help = await runTsfpm(['request', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--health/);
});

void test('the php-fpm flags keep working beside the subcommands', async () => {
  const usage = await runTsfpm(['--memory-limit=1G']);
  assert.equal(usage.code, 64, describeResult(usage));
  assert.match(usage.stdout, /^Usage: tsfpm /m);
  const word = await runTsfpm(['requests']);
  assert.equal(word.code, 64, describeResult(word));
  const help = await runTsfpm(['-h']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /tsfpm request \[options\] SCRIPT/);
});
