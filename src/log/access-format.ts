// access.format compiled once per pool into a list of pieces (php-fpm's sapi/fpm/fpm/fpm_log.c), then
// applied to each finished request. Pure: everything a token needs comes in an AccessRecord.
// Validation messages live in config/access-format-check.ts; this compiler assumes a valid format
// and prints an unknown token literally. Every value a token prints is escaped (src/log/log-escape.ts:
// a URI, a header or a response header cannot end the line or add one); the format's own text is not.
import { escapeLogText } from './log-escape.js';
import { DEFAULT_ACCESS_TIME_FORMAT, strftime } from './strftime.js';

/** What one finished request looks like to the access log. */
export interface AccessRecord {
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly status: number;
  readonly startedAtMs: number;
  /** When the line is written (%T). */
  readonly nowMs: number;
  readonly durationUs: number;
  /** CPU time the request used (µs), user and system. */
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  readonly memoryBytes: number;
  readonly pool: string;
  readonly pid: number;
  readonly ppid: number;
  /** IP of the FastCGI peer; undefined for unix sockets (printed as `-`). */
  readonly peer: string | undefined;
  /** Response headers as sent, for %{Name}o. */
  readonly responseHeaders: readonly (readonly [string, string])[];
}

type Piece = string | ((r: AccessRecord) => string);

export interface CompiledAccessFormat {
  readonly format: string;
  /** The format needs the response headers (%o): they are captured only then. */
  readonly usesHeaders: boolean;
  /** The format needs CPU times (%C): sampled per request only then. */
  readonly usesCpu: boolean;
  render(record: AccessRecord): string;
}

const percent = (part: number, durationUs: number): string =>
  (durationUs > 0 ? (part / durationUs) * 100 : 0).toFixed(2);

/** %u: the HTTP auth user (REMOTE_USER, else the user of a Basic Authorization header), empty if none. */
export function authUser(params: AccessRecord['params']): string {
  const remote = params['REMOTE_USER'];
  if (remote !== undefined && remote !== '') return remote;
  const auth = params['HTTP_AUTHORIZATION'] ?? params['Authorization'];
  const basic = auth === undefined ? null : /^Basic\s+(\S+)/i.exec(auth);
  if (basic?.[1] === undefined) return '';
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : decoded.slice(0, colon);
}

/** %r: the request URI php-fpm logs: SCRIPT_NAME (plus PATH_INFO), else REQUEST_URI without its query. */
export function requestUri(params: AccessRecord['params']): string {
  const script = params['SCRIPT_NAME'];
  if (script !== undefined && script !== '') return script + (params['PATH_INFO'] ?? '');
  const uri = params['REQUEST_URI'] ?? '';
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}

function token(c: string, arg: string | undefined): Piece | undefined {
  switch (c) {
    case '%':
      return '%';
    case 'C': {
      const which = arg ?? 'total';
      return (r) =>
        percent(
          which === 'user' ? r.cpuUserUs : which === 'system' ? r.cpuSystemUs : r.cpuUserUs + r.cpuSystemUs,
          r.durationUs,
        );
    }
    case 'd': {
      const unit = arg ?? 'seconds';
      if (unit === 'micro' || unit === 'microseconds') return (r) => String(Math.round(r.durationUs));
      if (unit === 'seconds') return (r) => (r.durationUs / 1e6).toFixed(3);
      return (r) => (r.durationUs / 1e3).toFixed(3); // milli, milliseconds and the legacy 'mili' spellings
    }
    case 'e':
      return (r) => (arg === undefined ? '-' : (r.params[arg] ?? '-'));
    case 'f':
      return (r) => r.params['SCRIPT_FILENAME'] || '-';
    case 'l':
      return (r) => String(Number(r.params['CONTENT_LENGTH'] ?? 0) || 0);
    case 'm':
      return (r) => r.params['REQUEST_METHOD'] || '-';
    case 'M': {
      const unit = arg ?? 'bytes';
      const div =
        unit === 'kilo' || unit === 'kilobytes' ? 1024 : unit === 'mega' || unit === 'megabytes' ? 1024 * 1024 : 1;
      return (r) => String(Math.floor(r.memoryBytes / div));
    }
    case 'n':
      return (r) => r.pool;
    case 'o': {
      const name = (arg ?? '').toLowerCase();
      return (r) => r.responseHeaders.find(([h]) => h.toLowerCase() === name)?.[1] ?? '-';
    }
    case 'p':
      return (r) => String(r.pid);
    case 'P':
      return (r) => String(r.ppid);
    case 'q':
      return (r) => r.params['QUERY_STRING'] ?? '';
    case 'Q':
      return (r) => ((r.params['QUERY_STRING'] ?? '') !== '' ? '?' : '');
    case 'r':
      return (r) => requestUri(r.params);
    case 'R':
      return (r) => r.peer ?? '-';
    case 's':
      return (r) => String(r.status);
    case 't': {
      const f = arg ?? DEFAULT_ACCESS_TIME_FORMAT;
      return (r) => strftime(f, new Date(r.startedAtMs));
    }
    case 'T': {
      const f = arg ?? DEFAULT_ACCESS_TIME_FORMAT;
      return (r) => strftime(f, new Date(r.nowMs));
    }
    case 'u':
      return (r) => authUser(r.params);
    default:
      return undefined;
  }
}

export function compileAccessFormat(format: string): CompiledAccessFormat {
  const pieces: Piece[] = [];
  let literal = '';
  let usesHeaders = false;
  let usesCpu = false;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] ?? '';
    if (ch !== '%') {
      literal += ch;
      continue;
    }
    let j = i + 1;
    let arg: string | undefined;
    if (format[j] === '{') {
      const close = format.indexOf('}', j + 1);
      if (close < 0) {
        literal += format.slice(i);
        break;
      }
      arg = format.slice(j + 1, close);
      j = close + 1;
    }
    const c = format[j] ?? '';
    const piece = token(c, arg);
    if (piece === undefined) {
      literal += format.slice(i, j + 1);
    } else {
      if (literal !== '') pieces.push(literal);
      literal = '';
      pieces.push(piece);
      if (c === 'o') usesHeaders = true;
      if (c === 'C') usesCpu = true;
    }
    i = j;
  }
  if (literal !== '') pieces.push(literal);
  return {
    format,
    usesHeaders,
    usesCpu,
    render: (record) => {
      let out = '';
      for (const piece of pieces) out += typeof piece === 'string' ? piece : escapeLogText(piece(record));
      return out;
    },
  };
}

/**
 * access.suppress_path: the line is dropped for an exact %r match, and only for a successful (2xx)
 * GET or HEAD without query string and without body (php-fpm 8.2 rules).
 */
export function isSuppressed(paths: readonly string[], record: Pick<AccessRecord, 'params' | 'status'>): boolean {
  if (paths.length === 0) return false;
  const method = record.params['REQUEST_METHOD'];
  if (method !== 'GET' && method !== 'HEAD') return false;
  if ((record.params['QUERY_STRING'] ?? '') !== '') return false;
  if (record.status < 200 || record.status > 299) return false;
  if ((Number(record.params['CONTENT_LENGTH'] ?? 0) || 0) > 0) return false;
  return paths.includes(requestUri(record.params));
}
