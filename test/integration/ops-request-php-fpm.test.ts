// `tsfpm request` and `tsfpm status` are general FastCGI clients: the same commands against
// a real PHP-FPM 8.2 (Debian php8.2-fpm, installed by .ci/run) with a private config on a free port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { getFreePort } from '../helpers/free-port.js';
import { LogLines } from '../helpers/log-lines.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { requireTool } from '../helpers/tools.js';
import { describeResult, runTsfpm } from '../helpers/tsfpm-cli.js';

const HELLO_PHP = `<?php
header('X-Php: yes');
if (isset($_GET['missing'])) { http_response_code(404); echo "nothing here\\n"; exit; }
echo 'Hello from PHP ', $_SERVER['REQUEST_METHOD'], ' ', $_SERVER['HTTP_X_PROBE'] ?? '-', ' ', file_get_contents('php://input'), "\\n";
`;

void test('tsfpm request and tsfpm status against PHP-FPM', { timeout: 60_000 }, async (t) => {
  const phpFpm = requireTool(t, 'php-fpm8.2', 'php8.2-fpm');
  if (phpFpm === undefined) return;
  const dir = makeTempDir('tsfpm-php-');
  t.after(() => dir.remove());
  const port = await getFreePort();
  const script = join(dir.path, 'hello.php');
  writeFileSync(script, HELLO_PHP);
  const conf = join(dir.path, 'php-fpm.conf');
  writeFileSync(
    conf,
    [
      '[global]',
      `pid = ${join(dir.path, 'php-fpm.pid')}`,
      `error_log = ${join(dir.path, 'php-fpm.log')}`,
      '[www]',
      `listen = 127.0.0.1:${port}`,
      'pm = static',
      'pm.max_children = 2',
      'pm.status_path = /status',
      'ping.path = /ping',
      '',
    ].join('\n'),
  );
  const root = process.getuid?.() === 0;
  const log = new LogLines('php-fpm log');
  const fpm = spawn(phpFpm, ['-n', '-y', conf, '-F', '-O', ...(root ? ['-R'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  fpm.stdout.setEncoding('utf8').on('data', (text: string) => log.push(text));
  fpm.stderr.setEncoding('utf8').on('data', (text: string) => log.push(text));
  const exited = new Promise((resolve) => fpm.once('exit', resolve));
  t.after(async () => {
    fpm.kill('SIGQUIT');
    await exited;
  });
  await log.expect(/ready to handle connections/, { timeoutMs: 15_000 });
  const connect = ['--connect', `127.0.0.1:${port}`];

  const get = await runTsfpm(['request', ...connect, '-H', 'X-Probe: probed', script]);
  assert.equal(get.code, 0, describeResult(get));
  assert.match(get.stdout, /^X-Php: yes\r?$/m);
  assert.match(get.stdout, /Hello from PHP GET probed/);

  const post = await runTsfpm(['request', ...connect, '-b', '-d', 'payload', script]);
  assert.equal(post.code, 0, describeResult(post));
  assert.equal(post.stdout, 'Hello from PHP POST - payload\n');

  const missing = await runTsfpm(['request', ...connect, `${script}?missing=1`]);
  assert.equal(missing.code, 1, describeResult(missing));
  assert.match(missing.stderr, /the response status is 404/);

  const noScript = await runTsfpm(['request', ...connect, join(dir.path, 'nope.php')]);
  assert.equal(noScript.code, 1, describeResult(noScript));
  assert.match(noScript.stderr, /Primary script unknown/);

  const health = await runTsfpm(['request', ...connect, '--health']);
  assert.equal(health.code, 0, describeResult(health));
  assert.equal(health.stdout, 'pong\n');

  const status = await runTsfpm(['status', ...connect]);
  assert.equal(status.code, 0, describeResult(status));
  assert.match(status.stdout, /^pool: +www$/m);
  assert.match(status.stdout, /^process manager: +static$/m);
  assert.match(status.stdout, /^pid +state +start time/m);

  const json = await runTsfpm(['status', ...connect, '--json']);
  assert.equal(json.code, 0, describeResult(json));
  const page = JSON.parse(json.stdout) as { pool: string; 'accepted conn': number; processes: unknown[] };
  assert.equal(page.pool, 'www');
  assert.ok(page['accepted conn'] >= 5);
  assert.equal(page.processes.length, 2);
});
