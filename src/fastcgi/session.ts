// The server side of one FastCGI connection as a pure state machine: records in, events out.
// It knows the protocol rules (roles, no multiplexing, stream order, management records) and
// nothing about sockets or scripts.
import { ProtocolError } from '../errors.js';
import {
  FCGI_ABORT_REQUEST,
  FCGI_AUTHORIZER,
  FCGI_BEGIN_REQUEST,
  FCGI_CANT_MPX_CONN,
  FCGI_DATA,
  FCGI_GET_VALUES,
  FCGI_GET_VALUES_RESULT,
  FCGI_KEEP_CONN,
  FCGI_NULL_REQUEST_ID,
  FCGI_PARAMS,
  FCGI_STDIN,
  FCGI_UNKNOWN_ROLE,
  recordTypeName,
} from './constants.js';
import { decodeParams, encodeParams, type Params } from './params.js';
import { encodeEndRequest, encodeRecord, encodeUnknownType, type FcgiRecord } from './record.js';

export interface SessionOptions {
  /** Cap on the joined PARAMS stream of one request. */
  readonly maxParamsBytes: number;
  /** Cap on the name-value pairs of one request (fastcgi.max_params); unset = no cap. */
  readonly maxParams?: number;
  /** Roles this server runs (FCGI_RESPONDER, ...); others get FCGI_UNKNOWN_ROLE. */
  readonly roles: ReadonlySet<number>;
  /** Answers to FCGI_GET_VALUES, by variable name. */
  readonly values: Readonly<Record<string, string>>;
}

export type SessionEvent =
  | { readonly kind: 'begin'; readonly requestId: number; readonly role: number; readonly keepConn: boolean }
  | { readonly kind: 'params'; readonly requestId: number; readonly params: Params; readonly paramsBytes: number }
  | { readonly kind: 'stdin'; readonly requestId: number; readonly data: Buffer }
  | { readonly kind: 'stdin-end'; readonly requestId: number }
  | { readonly kind: 'abort'; readonly requestId: number }
  /** Bytes to send now (management answers, rejections); close the connection after them when asked. */
  | { readonly kind: 'reply'; readonly bytes: Buffer; readonly close: boolean; readonly note: string };

type Phase = 'idle' | 'params' | 'stdin' | 'running';

/**
 * Web servers send a PARAMS stream in a handful of records (up to 64 KiB each). A flood of 1-byte
 * records would keep one Buffer per byte (~100 bytes of heap each) under fastcgi.max_params_size.
 */
const MAX_PARAMS_RECORDS = 1024;

export class ServerSession {
  readonly #options: SessionOptions;
  #phase: Phase = 'idle';
  #requestId = 0;
  #role = 0;
  #paramsChunks: Buffer[] = [];
  #paramsBytes = 0;

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  /** The active request id, or 0 when between requests. */
  get activeRequestId(): number {
    return this.#phase === 'idle' ? 0 : this.#requestId;
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** The worker finished the active request (END_REQUEST sent); a kept connection may begin another. */
  endRequest(): void {
    this.#phase = 'idle';
    this.#requestId = 0;
    this.#paramsChunks = [];
    this.#paramsBytes = 0;
  }

  /** Handles one record; throws ProtocolError for violations that must close the connection. */
  receive(record: FcgiRecord, emit: (event: SessionEvent) => void): void {
    if (record.requestId === FCGI_NULL_REQUEST_ID) {
      this.#management(record, emit);
      return;
    }
    switch (record.type) {
      case FCGI_BEGIN_REQUEST:
        this.#begin(record, emit);
        return;
      case FCGI_PARAMS:
        this.#params(record, emit);
        return;
      case FCGI_STDIN:
        this.#stdin(record, emit);
        return;
      case FCGI_ABORT_REQUEST:
        if (this.#isActive(record)) emit({ kind: 'abort', requestId: record.requestId });
        return;
      case FCGI_DATA:
        // Only FILTER requests carry DATA, and FILTER is not served: nothing to feed.
        return;
      default:
        throw new ProtocolError(
          'TSFPM_ERR_FCGI_UNEXPECTED_RECORD',
          `${recordTypeName(record.type)} is not a record a web server sends`,
          { recordType: record.type, requestId: record.requestId },
        );
    }
  }

  #isActive(record: FcgiRecord): boolean {
    return this.#phase !== 'idle' && record.requestId === this.#requestId;
  }

  #management(record: FcgiRecord, emit: (event: SessionEvent) => void): void {
    if (record.type !== FCGI_GET_VALUES) {
      emit({ kind: 'reply', bytes: encodeUnknownType(record.type), close: false, note: 'FCGI_UNKNOWN_TYPE' });
      return;
    }
    const asked = decodeParams(record.content);
    const answer: [string, string][] = [];
    for (const name of Object.keys(asked)) {
      // Own names only: 'toString' or '__proto__' must not find Object.prototype members.
      const value = Object.hasOwn(this.#options.values, name) ? this.#options.values[name] : undefined;
      if (value !== undefined) answer.push([name, value]);
    }
    emit({
      kind: 'reply',
      bytes: encodeRecord(FCGI_GET_VALUES_RESULT, FCGI_NULL_REQUEST_ID, encodeParams(answer)),
      close: false,
      note: 'FCGI_GET_VALUES_RESULT',
    });
  }

  #begin(record: FcgiRecord, emit: (event: SessionEvent) => void): void {
    if (record.content.length !== 8) {
      throw new ProtocolError(
        'TSFPM_ERR_FCGI_BAD_RECORD',
        `FCGI_BEGIN_REQUEST has ${record.content.length} content bytes, expected 8`,
        { recordType: record.type, requestId: record.requestId },
      );
    }
    const role = record.content.readUInt16BE(0);
    const keepConn = ((record.content[2] ?? 0) & FCGI_KEEP_CONN) !== 0;
    if (this.#phase !== 'idle') {
      emit({
        kind: 'reply',
        bytes: encodeEndRequest(record.requestId, 0, FCGI_CANT_MPX_CONN),
        close: false,
        note: `FCGI_CANT_MPX_CONN for request ${record.requestId} while request ${this.#requestId} is active`,
      });
      return;
    }
    if (!this.#options.roles.has(role)) {
      emit({
        kind: 'reply',
        bytes: encodeEndRequest(record.requestId, 0, FCGI_UNKNOWN_ROLE),
        close: !keepConn,
        note: `FCGI_UNKNOWN_ROLE for role ${role}`,
      });
      return;
    }
    this.#phase = 'params';
    this.#requestId = record.requestId;
    this.#role = role;
    emit({ kind: 'begin', requestId: record.requestId, role, keepConn });
  }

  #params(record: FcgiRecord, emit: (event: SessionEvent) => void): void {
    if (!this.#isActive(record)) return; // records of rejected or finished requests are ignored (spec 3.3)
    if (this.#phase !== 'params') {
      throw new ProtocolError('TSFPM_ERR_FCGI_UNEXPECTED_RECORD', 'FCGI_PARAMS after the PARAMS stream ended', {
        recordType: record.type,
        requestId: record.requestId,
      });
    }
    if (record.content.length > 0) {
      this.#paramsBytes += record.content.length;
      if (this.#paramsBytes > this.#options.maxParamsBytes) {
        throw new ProtocolError(
          'TSFPM_ERR_FCGI_PARAMS_TOO_LARGE',
          `PARAMS stream exceeds fastcgi.max_params_size (${this.#options.maxParamsBytes} bytes)`,
          { recordType: record.type, requestId: record.requestId },
        );
      }
      if (this.#paramsChunks.length >= MAX_PARAMS_RECORDS) {
        throw new ProtocolError(
          'TSFPM_ERR_FCGI_PARAMS_TOO_LARGE',
          `PARAMS stream split into more than ${MAX_PARAMS_RECORDS} records`,
          { recordType: record.type, requestId: record.requestId },
        );
      }
      // Kept as a view: socket chunks are fresh buffers that nothing writes to again, and the stream
      // is decoded (and the views dropped) as soon as its empty record arrives.
      this.#paramsChunks.push(record.content);
      return;
    }
    const chunks = this.#paramsChunks;
    const joined =
      chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, this.#paramsBytes);
    this.#paramsChunks = [];
    const params = decodeParams(joined, this.#options.maxParams);
    this.#phase = 'stdin';
    emit({ kind: 'params', requestId: record.requestId, params, paramsBytes: this.#paramsBytes });
    if (this.#role === FCGI_AUTHORIZER) {
      // An authorizer gets no request body (spec 6.3): its input ends with PARAMS. Web servers that
      // still send an empty STDIN record have it ignored below (Apache's mod_authnz_fcgi sends none).
      this.#phase = 'running';
      emit({ kind: 'stdin-end', requestId: record.requestId });
    }
  }

  #stdin(record: FcgiRecord, emit: (event: SessionEvent) => void): void {
    if (!this.#isActive(record)) return;
    if (this.#phase === 'params') {
      throw new ProtocolError('TSFPM_ERR_FCGI_UNEXPECTED_RECORD', 'FCGI_STDIN before the PARAMS stream ended', {
        recordType: record.type,
        requestId: record.requestId,
      });
    }
    if (this.#phase !== 'stdin') return; // STDIN after its end: nothing to deliver
    if (record.content.length === 0) {
      this.#phase = 'running';
      emit({ kind: 'stdin-end', requestId: record.requestId });
      return;
    }
    emit({ kind: 'stdin', requestId: record.requestId, data: record.content });
  }
}
