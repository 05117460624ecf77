// The CGI environment a web server would send for one request (RFC 3875 section 4.1, what nginx's
// fastcgi_params sets), from command-line style inputs. Explicit --param values win over everything.

export interface RequestDescription {
  /** SCRIPT_FILENAME: the script's path on the FastCGI server's side. */
  readonly scriptFilename: string;
  /** SCRIPT_NAME / DOCUMENT_URI (the ping and status paths are matched on it). */
  readonly scriptName: string;
  readonly query: string;
  readonly method: string;
  /** `Name: value` lines (curl's -H). */
  readonly headers: readonly string[];
  readonly body: Buffer | undefined;
  /** `NAME=value` (raw FastCGI params). */
  readonly params: readonly string[];
}

export class RequestInputError extends Error {}

export function buildParams(request: RequestDescription): Record<string, string> {
  const uri = request.query === '' ? request.scriptName : `${request.scriptName}?${request.query}`;
  const params: Record<string, string> = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: 'tsfpm-request',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: request.method.toUpperCase(),
    SCRIPT_FILENAME: request.scriptFilename,
    SCRIPT_NAME: request.scriptName,
    DOCUMENT_URI: request.scriptName,
    REQUEST_URI: uri,
    QUERY_STRING: request.query,
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '0',
    SERVER_ADDR: '127.0.0.1',
    SERVER_PORT: '80',
    SERVER_NAME: 'localhost',
  };
  if (request.body !== undefined) {
    params['CONTENT_LENGTH'] = String(request.body.length);
    params['CONTENT_TYPE'] = 'application/x-www-form-urlencoded';
  }
  for (const line of request.headers) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RequestInputError(`invalid header '${line}': expected 'Name: value'`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const cgiName = name.toUpperCase().replace(/-/g, '_');
    // RFC 3875 section 4.1.18: Content-Type and Content-Length are meta-variables, not HTTP_*.
    if (cgiName === 'CONTENT_TYPE' || cgiName === 'CONTENT_LENGTH') params[cgiName] = value;
    else params[`HTTP_${cgiName}`] = value;
  }
  for (const pair of request.params) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new RequestInputError(`invalid param '${pair}': expected NAME=value`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return params;
}
