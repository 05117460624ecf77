// Our own FastCGI client for black-box tests, over TCP or a unix socket, built on the project's codec
// (src/fastcgi). Two levels: FcgiConnection gives raw access (send any bytes, read records until
// END_REQUEST or close), and fcgiRequest() runs one whole request and parses the CGI response.
import { connect, type Socket } from 'node:net';
import { basename } from 'node:path';
import {
  FCGI_BEGIN_REQUEST,
  FCGI_END_REQUEST,
  FCGI_GET_VALUES,
  FCGI_NULL_REQUEST_ID,
  FCGI_PARAMS,
  FCGI_RESPONDER,
  FCGI_STDERR,
  FCGI_STDIN,
  FCGI_STDOUT,
} from '../../src/fastcgi/constants.js';
import { encodeParams } from '../../src/fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../../src/fastcgi/record.js';
import { splitCgiResponse } from '../../src/request/cgi-head.js';
import { DeadlineError } from './wait-for.js';

export type FcgiAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/** The address as a `listen =` value: `127.0.0.1:9000` or `/path/to.sock`. */
export function listenText(address: FcgiAddress): string {
  return address.kind === 'tcp' ? `${address.host}:${address.port}` : address.path;
}

/** The address as nginx writes it in `fastcgi_pass` / `server`: `127.0.0.1:9000` or `unix:/path`. */
export function nginxAddressText(address: FcgiAddress): string {
  return address.kind === 'tcp' ? `${address.host}:${address.port}` : `unix:${address.path}`;
}

/** A record as received: the content is a copy the test may keep; padding is the header's value. */
export interface ReceivedRecord {
  readonly version: number;
  readonly type: number;
  readonly requestId: number;
  readonly content: Buffer;
  readonly paddingLength: number;
}

export interface ReadResult {
  readonly records: readonly ReceivedRecord[];
  /** An END_REQUEST for the awaited request id arrived (the last record in `records`). */
  readonly ended: boolean;
  /** The server closed the connection before END_REQUEST. */
  readonly closedEarly: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Splits the server's byte stream into records without trusting it: unlike RecordDecoder it keeps
 * the version byte and padding length, so tests can check what the server really sent.
 */
class RawRecordReader {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, onRecord: (record: ReceivedRecord) => void): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      if (this.#pending.length < 8) return;
      const contentLength = this.#pending.readUInt16BE(4);
      const paddingLength = this.#pending[6] ?? 0;
      const total = 8 + contentLength + paddingLength;
      if (this.#pending.length < total) return;
      onRecord({
        version: this.#pending[0] ?? 0,
        type: this.#pending[1] ?? 0,
        requestId: this.#pending.readUInt16BE(2),
        content: Buffer.from(this.#pending.subarray(8, 8 + contentLength)),
        paddingLength,
      });
      this.#pending = this.#pending.subarray(total);
    }
  }

  get midRecord(): boolean {
    return this.#pending.length > 0;
  }
}

/** One client connection with raw record access. */
export class FcgiConnection {
  readonly socket: Socket;
  readonly #reader = new RawRecordReader();
  readonly #queue: ReceivedRecord[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  #error: Error | undefined;
  readonly #closedPromise: Promise<void>;
  /** Every record received so far, in order (the queue is consumed; this is not). */
  readonly received: ReceivedRecord[] = [];
  /** Set false before a huge response to keep `received` from holding every record. */
  keepHistory = true;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.#closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.#closed = true;
        this.#notify();
        resolve();
      });
    });
    socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk, (record) => {
        this.#queue.push(record);
        if (this.keepHistory) this.received.push(record);
      });
      this.#notify();
    });
    socket.on('error', (err) => {
      this.#error = err;
    });
  }

  static open(address: FcgiAddress, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<FcgiConnection> {
    return new Promise((resolve, reject) => {
      const socket =
        address.kind === 'tcp' ? connect({ host: address.host, port: address.port }) : connect({ path: address.path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DeadlineError(`connect to ${listenText(address)} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new FcgiConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** The server closed (or reset) the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  get error(): Error | undefined {
    return this.#error;
  }

  /** Writes raw bytes; resolves once they are handed to the kernel. Errors (EPIPE after a close) resolve too. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.write(bytes, () => resolve());
    });
  }

  /** The next record, or undefined when the connection closed first. Throws on the deadline. */
  async nextRecord(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReceivedRecord | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = this.#queue.shift();
      if (record !== undefined) return record;
      if (this.#closed) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new DeadlineError(`no FastCGI record within ${timeoutMs} ms`);
      await this.#waitForActivity(left);
    }
  }

  /** Reads records until END_REQUEST for `requestId` (or any END_REQUEST when omitted), or close. */
  async readUntilEnd(requestId?: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReadResult> {
    const deadline = Date.now() + timeoutMs;
    const records: ReceivedRecord[] = [];
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DeadlineError(
          `no FCGI_END_REQUEST within ${timeoutMs} ms (${records.length} records so far: ${describeRecords(records)})`,
        );
      }
      const record = await this.nextRecord(left);
      if (record === undefined) return { records, ended: false, closedEarly: true };
      records.push(record);
      if (record.type === FCGI_END_REQUEST && (requestId === undefined || record.requestId === requestId)) {
        return { records, ended: true, closedEarly: false };
      }
    }
  }

  /** Resolves true when the server closes the connection within the time, false otherwise. */
  async waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<boolean> {
    if (this.#closed) return true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.#closedPromise.then(() => true as const), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Proves the connection is open and served right now: a GET_VALUES must be answered with a
   * GET_VALUES_RESULT (a closed connection cannot answer).
   */
  async isServed(timeoutMs = 5000): Promise<boolean> {
    if (this.#closed) return false;
    await this.write(encodeGetValues(['FCGI_MPXS_CONNS']));
    const record = await this.nextRecord(timeoutMs).catch(() => undefined);
    return record !== undefined && record.requestId === FCGI_NULL_REQUEST_ID;
  }

  /** Sends a whole request and reads its answer (on this connection; honours keepConn). */
  async request(options: FcgiRequestOptions, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<FcgiResponse> {
    const requestId = options.requestId ?? 1;
    await this.write(encodeRequest(options));
    const result = await this.readUntilEnd(requestId, timeoutMs);
    return parseResponse(result, this);
  }

  /** Closes our side; the server sees EOF. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitForActivity(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

export interface FcgiRequestOptions {
  readonly requestId?: number;
  readonly role?: number;
  readonly keepConn?: boolean;
  /** SCRIPT_FILENAME (an absolute path; the daemon helper resolves names against the fixture scripts). */
  readonly scriptFilename?: string;
  readonly method?: string;
  readonly query?: string;
  readonly body?: Buffer | string;
  /** Parameters added to (or replacing) the defaults. */
  readonly params?: Readonly<Record<string, string>>;
  /** Default parameters to leave out (e.g. SCRIPT_FILENAME). */
  readonly omitParams?: readonly string[];
  /** Largest STDIN record content (default: the codec's output chunk). */
  readonly stdinChunkBytes?: number;
}

/** The CGI parameters nginx's fastcgi_params would send for this request. */
export function defaultParams(options: FcgiRequestOptions): Record<string, string> {
  const script = options.scriptFilename;
  const scriptName = script === undefined ? '/' : `/${basename(script)}`;
  const query = options.query ?? '';
  const method = options.method ?? 'GET';
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const params: Record<string, string> = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: 'tsfpm-test-client',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_SCHEME: 'http',
    SERVER_NAME: 'localhost',
    SERVER_ADDR: '127.0.0.1',
    SERVER_PORT: '80',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '40000',
    REQUEST_METHOD: method,
    SCRIPT_NAME: scriptName,
    DOCUMENT_URI: scriptName,
    REQUEST_URI: query === '' ? scriptName : `${scriptName}?${query}`,
    QUERY_STRING: query,
    DOCUMENT_ROOT: script === undefined ? '/' : script.slice(0, script.length - scriptName.length) || '/',
    HTTP_HOST: 'localhost',
    CONTENT_TYPE: body === undefined ? '' : 'application/octet-stream',
    CONTENT_LENGTH: body === undefined ? '' : String(body.length),
  };
  if (script !== undefined) params['SCRIPT_FILENAME'] = script;
  for (const name of options.omitParams ?? []) delete params[name];
  return { ...params, ...options.params };
}

/** BEGIN_REQUEST, PARAMS (+ empty), STDIN (+ empty): the bytes of one complete request. */
export function encodeRequest(options: FcgiRequestOptions): Buffer {
  const requestId = options.requestId ?? 1;
  const params = encodeParams(Object.entries(defaultParams(options)));
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  return Buffer.concat([
    encodeBeginRequest(requestId, options.role ?? FCGI_RESPONDER, options.keepConn === true ? 1 : 0),
    encodeStream(FCGI_PARAMS, requestId, params),
    encodeRecord(FCGI_PARAMS, requestId),
    encodeStdin(requestId, body, options.stdinChunkBytes),
    encodeRecord(FCGI_STDIN, requestId),
  ]);
}

/** STDIN records for a body (no terminating empty record). */
export function encodeStdin(requestId: number, body: Buffer, chunkBytes?: number): Buffer {
  if (chunkBytes === undefined) return encodeStream(FCGI_STDIN, requestId, body);
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkBytes) {
    parts.push(encodeRecord(FCGI_STDIN, requestId, body.subarray(at, at + chunkBytes)));
  }
  return Buffer.concat(parts);
}

/** A GET_VALUES management record asking for these names. */
export function encodeGetValues(names: readonly string[]): Buffer {
  return encodeRecord(FCGI_GET_VALUES, FCGI_NULL_REQUEST_ID, encodeParams(names.map((n) => [n, ''] as const)));
}

/** Decodes name-value pairs (GET_VALUES_RESULT content) with the project's codec. */
export { decodeParams } from '../../src/fastcgi/params.js';

/** A record header with arbitrary fields (a malformed version byte, an impossible length...). */
export function rawHeader(fields: {
  readonly version?: number;
  readonly type: number;
  readonly requestId?: number;
  readonly contentLength?: number;
  readonly paddingLength?: number;
}): Buffer {
  const header = Buffer.alloc(8);
  header[0] = fields.version ?? 1;
  header[1] = fields.type;
  header.writeUInt16BE(fields.requestId ?? 1, 2);
  header.writeUInt16BE(fields.contentLength ?? 0, 4);
  header[6] = fields.paddingLength ?? 0;
  return header;
}

export interface FcgiResponse {
  /**
   * From the `Status:` header; 200 when absent (what a web server assumes); 0 when STDOUT holds no
   * header block at all (a web server answers 502 to that).
   */
  readonly status: number;
  /** The `Status:` line as sent, or undefined when there was none. */
  readonly statusLine: string | undefined;
  /** Header names in lower case; repeated headers joined with ', ' (set-cookie: see headerLines). */
  readonly headers: Readonly<Record<string, string>>;
  /** Every header line as sent, in order. */
  readonly headerLines: readonly string[];
  readonly body: Buffer;
  /** All STDOUT content joined (head and body). */
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly appStatus: number | undefined;
  readonly protocolStatus: number | undefined;
  readonly records: readonly ReceivedRecord[];
  /** END_REQUEST arrived. */
  readonly ended: boolean;
  /** The connection the request ran on (closed or still open, per keepConn). */
  readonly connection: FcgiConnection | undefined;
}

/** Splits STDOUT into the CGI head and the body; the head ends at the first blank line (CRLF or LF). */
export function parseResponse(result: ReadResult, connection?: FcgiConnection): FcgiResponse {
  const stdout = Buffer.concat(result.records.filter((r) => r.type === FCGI_STDOUT).map((r) => r.content));
  const stderr = Buffer.concat(result.records.filter((r) => r.type === FCGI_STDERR).map((r) => r.content)).toString(
    'utf8',
  );
  const end = result.ended ? result.records[result.records.length - 1] : undefined;
  // 'as-sent': the status is what tsfpm wrote, never one inferred from a Location header.
  const { head, body } = splitCgiResponse(stdout, 'as-sent');
  const headers: Record<string, string> = {};
  for (const [name, value] of head?.headers ?? []) {
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  return {
    status: head === undefined ? 0 : head.status,
    statusLine: head?.statusLine,
    headers,
    headerLines: head?.lines ?? [],
    body,
    stdout,
    stderr,
    appStatus: end?.content.readUInt32BE(0),
    protocolStatus: end?.content[4],
    records: result.records,
    ended: result.ended,
    connection,
  };
}

/** One request on a fresh connection. */
export async function fcgiRequest(
  address: FcgiAddress,
  options: FcgiRequestOptions,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<FcgiResponse> {
  const connection = await FcgiConnection.open(address, timeoutMs);
  try {
    return await connection.request(options, timeoutMs);
  } finally {
    if (options.keepConn !== true) connection.destroy();
  }
}

/** Readable one-line summary of records, for assertion messages. */
export function describeRecords(records: readonly ReceivedRecord[]): string {
  return records.map((r) => `${recordName(r.type)}#${r.requestId}(${r.content.length}+${r.paddingLength})`).join(' ');
}

function recordName(type: number): string {
  const names: Record<number, string> = {
    [FCGI_BEGIN_REQUEST]: 'BEGIN',
    [FCGI_END_REQUEST]: 'END',
    [FCGI_STDOUT]: 'STDOUT',
    [FCGI_STDERR]: 'STDERR',
  };
  return names[type] ?? `type${type}`;
}
