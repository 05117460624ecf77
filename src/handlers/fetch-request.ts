// The parts of a web Request that CGI parameters determine: URL and headers.
import type { Params } from '../fastcgi/params.js';

export function requestUrl(params: Params): string {
  const https = params['HTTPS'];
  const scheme =
    https !== undefined && https !== '' && https.toLowerCase() !== 'off'
      ? 'https'
      : (params['REQUEST_SCHEME'] ?? 'http');
  let host = params['HTTP_HOST'];
  if (host === undefined || host === '') {
    const name = params['SERVER_NAME'] || params['SERVER_ADDR'] || 'localhost';
    const port = params['SERVER_PORT'];
    const defaultPort = scheme === 'https' ? '443' : '80';
    host = port !== undefined && port !== '' && port !== defaultPort ? `${name}:${port}` : name;
  }
  let path = params['REQUEST_URI'];
  if (path === undefined || path === '') {
    const query = params['QUERY_STRING'];
    path = (params['SCRIPT_NAME'] ?? '/') + (query ? `?${query}` : '');
  }
  if (!path.startsWith('/')) path = `/${path}`;
  return `${scheme}://${host}${path}`;
}

/** Header values must be byte strings: UTF-8 text is passed on as its bytes, the way node:http does. */
const asByteString = (value: string): string =>
  // eslint-disable-next-line no-control-regex -- the test is for any character above 0xff; \x00 starts the range
  /[^\x00-\xff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;

/**
 * HTTP_* parameters (and CONTENT_TYPE/CONTENT_LENGTH) as header pairs. nginx sends the body headers
 * twice (CONTENT_TYPE and HTTP_CONTENT_TYPE); the CGI variables win, so each appears once.
 */
export function requestHeaders(params: Params): [string, string][] {
  const headers: [string, string][] = [];
  for (const name in params) {
    const value = params[name] ?? '';
    if (name.startsWith('HTTP_')) {
      if (name === 'HTTP_CONTENT_TYPE' || name === 'HTTP_CONTENT_LENGTH') {
        if (params[name.slice(5)] !== undefined) continue;
      }
      headers.push([name.slice(5).replaceAll('_', '-').toLowerCase(), asByteString(value)]);
    } else if (name === 'CONTENT_TYPE' || name === 'CONTENT_LENGTH') {
      if (value !== '') headers.push([name === 'CONTENT_TYPE' ? 'content-type' : 'content-length', value]);
    }
  }
  return headers;
}

/** Headers a web Request accepts: a token name and a value without NUL, CR or LF. */
export const isValidHeader = ([name, value]: [string, string]): boolean =>
  /^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name) && !/[\0\r\n]/.test(value);

export function methodHasBody(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}
