// Writing a response into FastCGI STDOUT: the small text answers tsfpm gives itself, the failure
// answers (500, 504), and a web Response (head, then the body streamed with backpressure).
import { codedMessage, describeCoded } from '../errors.js';
import { childLog } from '../log/child-log.js';
import type { ActiveRequest } from '../request/active-request.js';
import { ConnectionClosedError } from '../request/response-sink.js';
import { formatTextResponse, responseHeadText } from './cgi-response.js';
import { FastResponse } from './fast-response.js';
import { responseHeaders } from './response-headers.js';
import { responseBodySource } from './response-source.js';
import { timedOut, type ScriptJob } from './script-runner.js';

export async function sendText(request: ActiveRequest, status: number, body: string): Promise<void> {
  request.status = status;
  await request.response.stdout(formatTextResponse(status, body));
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0] ?? text;
}

/**
 * The script failed (threw, rejected, bad return value, crashed its thread or process). A request
 * aborted by the web server gets nothing (nobody reads it); one cut by request_terminate_timeout gets
 * 504; otherwise 500 with the error in the log and its first line on FastCGI stderr (nginx logs it).
 * Once the head is out, the connection is broken so the web server does not take a cut body as whole.
 * The log line carries the error's code: TSFPM_ERR_SCRIPT_BAD_EXPORT / _BAD_RESPONSE when tsfpm
 * raised it, TSFPM_ERR_SCRIPT_THREW for whatever the script itself threw.
 */
export async function failScript(job: ScriptJob, err: unknown): Promise<void> {
  const { request } = job;
  if (timedOut(request)) {
    await answerTimeout(job);
    return;
  }
  if (request.abort.aborted) return;
  if (err instanceof ConnectionClosedError) {
    // The client went away (its web server closed the connection): nothing failed on our side.
    childLog('notice', `${job.where}: the web server closed the connection before the response was sent`);
    return;
  }
  childLog('error', `${job.where} failed: ${describeCoded(err, 'TSFPM_ERR_SCRIPT_THREW')}`);
  if (request.status !== 0) {
    request.destroyConnection('the script failed after its response head was sent');
    return;
  }
  await request.response.stderr(`script '${job.path}' failed: ${firstLine(err)}`);
  await sendText(request, 500, 'Internal Server Error\n');
}

/** 504: the request outlived request_terminate_timeout but the child could stop it (see docs/scripts.md). */
export async function answerTimeout(job: ScriptJob): Promise<void> {
  const { request } = job;
  if (request.response.ended) return;
  if (request.status !== 0) {
    request.destroyConnection(
      codedMessage('TSFPM_ERR_SCRIPT_TIMEOUT', 'request_terminate_timeout reached after the response head was sent'),
    );
    return;
  }
  childLog(
    'warning',
    `${job.where}: ${codedMessage('TSFPM_ERR_SCRIPT_TIMEOUT', 'stopped by request_terminate_timeout, answered 504')}`,
  );
  await sendText(request, 504, 'Gateway Timeout\n');
}

/**
 * Not async: a body given as a string or bytes is written at once, and the write's own promise
 * (WRITTEN when it went straight out) is returned, so the caller can skip the await.
 */
export function sendResponse(job: ScriptJob, response: Response): Promise<void> {
  const { request } = job;
  request.status = response.status;
  const pairs = response instanceof FastResponse ? response.headerPairs() : responseHeaders(response);
  // Before touching response.body: reading it makes a FastResponse build the stream it avoided.
  const source = responseBodySource(response);
  if (source !== undefined) {
    // undici keeps its own copy of bytes given to its Response; a FastResponse keeps the script's
    // own bytes (Fetch copies them at construction), which the script may change later: copied.
    const given = !(response instanceof FastResponse);
    return request.response.respond(
      responseHeadText(response.status, response.statusText, pairs),
      job.isHead ? '' : source,
      given,
    );
  }
  return sendStream(job, response, responseHeadText(response.status, response.statusText, pairs));
}

async function sendStream(job: ScriptJob, response: Response, head: string): Promise<void> {
  const { request } = job;
  const body = response.body;
  if (body === null || job.isHead) {
    await request.response.respond(head, '');
    if (body !== null) await body.cancel().catch(() => undefined);
    return;
  }
  // Response.body is typed ReadableStream<any> in Node's types; a Response body is bytes (Fetch standard).
  const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  let pending: string | undefined = head; // the head travels with the first body chunk
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // A chunk read from the stream is ours to send (stdout's `given`): a large one goes in place.
      if (pending !== undefined) {
        await request.response.respond(pending, value, true);
        pending = undefined;
      } else {
        await request.response.stdout(value, true);
      }
    }
  } catch (err) {
    reader.releaseLock();
    if (request.abort.aborted) return;
    // Nothing sent yet, or the web server went away (its end of the stream can arrive before the
    // close that aborts the request): failScript answers 500 or logs the notice.
    if (pending !== undefined || err instanceof ConnectionClosedError) {
      if (pending !== undefined) request.status = 0;
      await failScript(job, err);
      return;
    }
    childLog('error', `${job.where} response body failed mid-stream: ${describeCoded(err, 'TSFPM_ERR_SCRIPT_THREW')}`);
    request.destroyConnection('the response body failed after its head was sent');
    return;
  }
  if (pending !== undefined) await request.response.respond(pending, '');
}
