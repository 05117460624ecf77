// Debian's libfcgi client (`cgi-fcgi -bind -connect ADDR`, package libfcgi-bin) talks to
// the daemon directly: it sends its environment as PARAMS and its stdin as STDIN, and prints STDOUT.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { daemonTest, type Daemon } from '../../helpers/daemon.js';
import { listenText } from '../../helpers/fcgi-client.js';
import { requireTool } from '../../helpers/tools.js';
import { withDeadline } from '../../helpers/wait-for.js';

interface CgiFcgiResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCgiFcgi(
  binary: string,
  fpm: Daemon,
  env: Readonly<Record<string, string>>,
  stdin = '',
): Promise<CgiFcgiResult> {
  const child = spawn(binary, ['-bind', '-connect', listenText(fpm.address)], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  child.stdin.end(stdin);
  const done = new Promise<CgiFcgiResult>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return withDeadline(done, 10_000, 'cgi-fcgi to finish').finally(() => child.kill('SIGKILL'));
}

function cgiEnv(fpm: Daemon, script: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    SCRIPT_FILENAME: fpm.script(script),
    SCRIPT_NAME: `/${script}`,
    REQUEST_URI: `/${script}`,
    REQUEST_METHOD: 'GET',
    QUERY_STRING: '',
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REMOTE_ADDR: '127.0.0.1',
    ...extra,
  };
}

for (const listen of ['unix', 'tcp'] as const) {
  daemonTest(
    `cgi-fcgi -bind -connect (${listen}): GET hello.mjs prints the headers and the body`,
    { listen },
    async (t, fpm) => {
      const binary = requireTool(t, 'cgi-fcgi', 'libfcgi-bin');
      if (binary === undefined) return;
      const res = await runCgiFcgi(binary, fpm, cgiEnv(fpm, 'hello.mjs'));
      assert.equal(res.code, 0, `cgi-fcgi failed: ${res.stderr}`);
      assert.match(res.stdout, /^content-type: text\/plain; charset=utf-8\r\n/im);
      assert.match(res.stdout, /\r\n\r\nHello from tsfpm\n$/);
      assert.doesNotMatch(res.stdout, /^Status:/m);
    },
  );

  daemonTest(
    `cgi-fcgi -bind -connect (${listen}): POST to echo.mjs sends stdin as the body`,
    { listen },
    async (t, fpm) => {
      const binary = requireTool(t, 'cgi-fcgi', 'libfcgi-bin');
      if (binary === undefined) return;
      const body = 'posted through libfcgi\n'.repeat(1000);
      const res = await runCgiFcgi(
        binary,
        fpm,
        cgiEnv(fpm, 'echo.mjs', {
          REQUEST_METHOD: 'POST',
          CONTENT_LENGTH: String(body.length),
          CONTENT_TYPE: 'text/plain',
        }),
        body,
      );
      assert.equal(res.code, 0, `cgi-fcgi failed: ${res.stderr}`);
      const split = res.stdout.indexOf('\r\n\r\n');
      assert.ok(split > 0, `no header block in: ${res.stdout.slice(0, 200)}`);
      assert.equal(res.stdout.slice(split + 4), body);
    },
  );
}

daemonTest('cgi-fcgi -bind -connect: a missing script prints Status: 404 and File not found.', {}, async (t, fpm) => {
  const binary = requireTool(t, 'cgi-fcgi', 'libfcgi-bin');
  if (binary === undefined) return;
  const res = await runCgiFcgi(binary, fpm, cgiEnv(fpm, 'no-such-script.mjs'));
  assert.match(res.stdout, /^Status: 404 Not Found\r\n/);
  assert.match(res.stdout, /File not found\.\n$/);
  assert.match(res.stderr, /Primary script unknown/, 'cgi-fcgi prints the FastCGI stderr stream');
});
