// The HTTP/1.1 request an http.Server parses for node mode, rebuilt from CGI parameters. Hop-by-hop
// headers of the client connection are nginx's business and are left out; `Connection: close` makes
// the server end the (virtual) socket once its response is complete, which is how the end is seen.
import type { Params } from '../fastcgi/params.js';
import { isValidHeader, methodHasBody, requestHeaders } from './fetch-request.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'expect',
  'proxy-connection',
  'http2-settings',
  'host',
]);

export interface RebuiltHead {
  readonly head: Buffer;
  /** The body must be sent with chunked framing (a body without CONTENT_LENGTH). */
  readonly chunked: boolean;
}

/** Characters a request-target cannot carry as they are (the client sent them escaped or not at all). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this escapes
const escapeTarget = (target: string): string => target.replace(/[\s\x00-\x1f\x7f]/g, (c) => encodeURIComponent(c));

export function requestTarget(params: Params): string {
  let target = params['REQUEST_URI'];
  if (target === undefined || target === '') {
    const query = params['QUERY_STRING'];
    target = (params['SCRIPT_NAME'] ?? '/') + (query ? `?${query}` : '');
  }
  if (!target.startsWith('/')) target = `/${target}`;
  return escapeTarget(target);
}

export function rebuildRequestHead(params: Params): RebuiltHead {
  const method = params['REQUEST_METHOD'] ?? 'GET';
  const host = params['HTTP_HOST'] || params['SERVER_NAME'] || 'localhost';
  let head = `${method} ${requestTarget(params)} HTTP/1.1\r\nHost: ${host}\r\n`;
  let hasLength = false;
  for (const pair of requestHeaders(params)) {
    if (HOP_BY_HOP.has(pair[0]) || !isValidHeader(pair)) continue;
    if (pair[0] === 'content-length') hasLength = true;
    head += `${pair[0]}: ${pair[1]}\r\n`;
  }
  const chunked = !hasLength && methodHasBody(method);
  if (chunked) head += 'Transfer-Encoding: chunked\r\n';
  head += 'Connection: close\r\n\r\n';
  return { head: Buffer.from(head, 'latin1'), chunked };
}
