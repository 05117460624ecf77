// cgi mode (a fcgiwrap replacement): the executable named by SCRIPT_FILENAME runs once per request
// with the CGI environment, the body streamed to its stdin, its stdout parsed as a CGI response and
// streamed back, its stderr in the error log. It runs in its own process group so that a timeout or
// an aborted request kills everything it started.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { PoolConfig } from '../config/types.js';
import { codedMessage, TsfpmError } from '../errors.js';
import type { Params } from '../fastcgi/params.js';
import { childLog } from '../log/child-log.js';
import { CgiOutputParser } from './cgi-output-parser.js';
import { failScript, sendText } from './send-response.js';
import type { ScriptJob } from './script-runner.js';

/** RFC 3875 meta-variables: the web server's params, over the pool's env[] and a default PATH. */
export function cgiEnvironment(params: Params, pool: PoolConfig): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', ...pool.env };
  for (const name in params) env[name] = params[name];
  env['GATEWAY_INTERFACE'] ??= 'CGI/1.1';
  env['SERVER_PROTOCOL'] ??= 'HTTP/1.1';
  delete env['HTTP_PROXY']; // httpoxy: a request header must not become the script's proxy
  return env;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function runCgi(job: ScriptJob, pool: PoolConfig): Promise<void> {
  const { request } = job;
  // Aborted while the script was being resolved (the connection closed, or FCGI_ABORT_REQUEST): its
  // body may already be discarded, so a process started now would wait for input forever.
  if (request.abort.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const child = spawn(job.path, [], {
      cwd: dirname(job.path),
      env: cgiEnvironment(request.params, pool),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group: kill(-pid) reaches its children too
    });
    const parser = new CgiOutputParser();
    let headSent = false;
    let writing: Promise<void> = Promise.resolve();
    let failure: unknown;
    let exited = false;
    // Not after it exited: its pid (and group id) may belong to another process by then.
    request.abort.onAbort(() => {
      if (!exited) killGroup(child.pid);
    });

    child.once('error', (err) => {
      failure = err;
    });
    const body = request.body;
    body.on('data', (chunk: Buffer) => {
      if (!child.stdin.write(chunk)) body.pause();
    });
    child.stdin.on('drain', () => body.resume());
    body.once('end', () => child.stdin.end());
    body.once('close', () => child.stdin.end()); // discarded (aborted): the script sees EOF
    child.stdin.on('error', () => body.resume()); // the script did not read its input: EPIPE is fine

    child.stdout.on('data', (chunk: Buffer) => {
      if (request.abort.aborted || failure !== undefined) return;
      child.stdout.pause();
      writing = writing
        .then(async () => {
          if (!headSent) {
            const head = parser.feed(chunk);
            if (head === undefined) return;
            headSent = true;
            request.status = head.status;
            await request.response.stdout(job.isHead ? head.head : Buffer.concat([head.head, head.rest]));
          } else if (!job.isHead) {
            await request.response.stdout(chunk, true); // the pipe's own chunk: sent in place when large
          }
        })
        .catch((err: unknown) => {
          failure = err;
          killGroup(child.pid);
        })
        .finally(() => child.stdout.resume());
    });
    let errText = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      errText += text;
      const lines = errText.split('\n');
      errText = lines.pop() ?? '';
      for (const line of lines) if (line !== '') childLog('warning', `${job.where} stderr: ${line}`);
    });

    child.once('close', (code, signal) => {
      if (errText !== '') childLog('warning', `${job.where} stderr: ${errText}`);
      killGroup(child.pid); // anything it left running in its group
      exited = true;
      void writing.then(async () => {
        if (failure !== undefined) {
          const code = (failure as NodeJS.ErrnoException).code;
          if (!headSent && (code === 'EACCES' || code === 'EPERM')) {
            childLog(
              'error',
              `${job.where}: ${codedMessage('TSFPM_ERR_SCRIPT_DENIED', `cannot be executed: ${(failure as Error).message}`)}`,
            );
            await sendText(request, 403, 'Access denied.\n');
          } else {
            await failScript(job, failure);
          }
        } else if (!headSent) {
          const how = signal !== null ? `was killed by ${signal}` : `exited with status ${code ?? '?'}`;
          await failScript(
            job,
            new TsfpmError('TSFPM_ERR_SCRIPT_BAD_RESPONSE', `the CGI script ${how} without a complete header block`),
          );
        } else if (code !== 0 && !request.abort.aborted) {
          // Not when tsfpm killed it itself because the client went away.
          childLog('warning', `${job.where} exited with status ${code ?? signal ?? '?'}`);
        }
        resolve();
      });
    });
  });
}
