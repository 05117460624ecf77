// The per-request limits a connection applies, only when their directives are set:
// fastcgi.max_body_size (a body announced over it is answered 413 without running the script; a body
// that grows past it closes the connection) and request_queue_timeout (a request that waited too long
// for a free child is answered 503). A refused request's body is still read and dropped, up to what it
// announced, so the web server gets the answer on a connection in a known state.
import type { LogLevel, PoolConfig } from '../config/types.js';
import { codedMessage } from '../errors.js';
import { formatTextResponse } from '../handlers/cgi-response.js';
import { announcedLength } from '../request/request-body.js';
import type { ConnectionRequest, ServedRunner } from './connection-request.js';

export type LimitedPool = Pick<PoolConfig, 'name' | 'maxBodyBytes' | 'requestQueueTimeoutMs'>;

/**
 * The runner that answers in place of the script (503 or 413), or undefined when the request may run.
 * `waitedMs`: how long it waited for this child, or undefined when it did not queue (a later request
 * on a kept connection).
 */
export function refusal(
  request: ConnectionRequest,
  pool: LimitedPool,
  waitedMs: number | undefined,
  log: (level: LogLevel, message: string) => void,
): ServedRunner | undefined {
  if (pool.requestQueueTimeoutMs > 0 && waitedMs !== undefined && waitedMs > pool.requestQueueTimeoutMs) {
    log(
      'warning',
      `[pool ${pool.name}] request waited ${waitedMs} ms for a free child, more than request_queue_timeout (${pool.requestQueueTimeoutMs} ms): 503`,
    );
    return answer(request, 503, 'Service Unavailable\n');
  }
  if (pool.maxBodyBytes > 0) {
    const announced = Number(request.params['CONTENT_LENGTH'] ?? 0) || 0;
    if (announced > pool.maxBodyBytes) {
      const text = `request body of ${announced} bytes exceeds fastcgi.max_body_size (${pool.maxBodyBytes} bytes): 413`;
      log('warning', `[pool ${pool.name}] ${codedMessage('TSFPM_ERR_FCGI_BODY_TOO_LARGE', text)}`);
      return answer(request, 413, 'Request Entity Too Large\n');
    }
  }
  return undefined;
}

function answer(request: ConnectionRequest, status: number, body: string): ServedRunner {
  request.refusedBodyBytes = Math.max(0, Number(request.params['CONTENT_LENGTH'] ?? 0) || 0);
  return async () => {
    request.status = status;
    await request.response.stdout(formatTextResponse(status, body));
  };
}

/**
 * Counts `bytes` more of STDIN against fastcgi.max_body_size: undefined while the body is within it,
 * else why the connection must close (a running script would get a cut body; a refused request's
 * client goes on past the length it announced).
 */
export function bodyOverCap(request: ConnectionRequest, bytes: number, maxBodyBytes: number): string | undefined {
  if (maxBodyBytes <= 0 || (request.bodyBytes += bytes) <= maxBodyBytes) return undefined;
  if (request.refusedBodyBytes < 0) {
    return codedMessage(
      'TSFPM_ERR_FCGI_BODY_TOO_LARGE',
      `request body exceeds fastcgi.max_body_size (${maxBodyBytes} bytes) while the script runs`,
    );
  }
  if (request.bodyBytes > request.refusedBodyBytes) {
    return codedMessage(
      'TSFPM_ERR_FCGI_BODY_TOO_LARGE',
      `request body goes on past the CONTENT_LENGTH it announced (${request.refusedBodyBytes} bytes)`,
    );
  }
  return undefined;
}

/**
 * A body whose STDIN ended short of its CONTENT_LENGTH (a web server passes a client's cut upload
 * on): why, for the log; the script's body stream errors (request-body.ts). Undefined when whole.
 */
export function truncatedBody(request: ConnectionRequest, receivedBytes: number): string | undefined {
  const expected = announcedLength(request.params);
  if (expected === undefined || receivedBytes >= expected || request.refusedBodyBytes >= 0) return undefined;
  return codedMessage(
    'TSFPM_ERR_FCGI_BODY_TRUNCATED',
    `request ${request.requestId}: STDIN ended after ${receivedBytes} of the ${expected} bytes of CONTENT_LENGTH`,
  );
}
