// Shared helpers for the FastCGI codec tests: hex fixtures, a decoder driver that copies contents and
// a session factory. Raw records and the seeded PRNG are in test/helpers (the fuzz driver uses them too).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProtocolError, type ErrorCode } from '../../../src/errors.js';
import { FCGI_RESPONDER } from '../../../src/fastcgi/constants.js';
import { RecordDecoder } from '../../../src/fastcgi/decoder.js';
import type { FcgiRecord } from '../../../src/fastcgi/record.js';
import { ServerSession, type SessionEvent, type SessionOptions } from '../../../src/fastcgi/session.js';
import { repoPath } from '../../helpers/paths.js';

// Fixtures are read from the source tree (tsc copies no .hex).
const FIXTURE_DIR = repoPath('test', 'fixtures', 'fastcgi');

/**
 * Parses the fixture hex format: `#` starts a comment (at line start or after a blank), tokens are
 * hex digit pairs (`0001`), a repeated byte (`41*121` = 121 bytes 0x41) or an ASCII literal in double
 * quotes (`"SCRIPT_FILENAME"`, may contain blanks, no escapes).
 */
export function parseHex(text: string): Buffer {
  const bytes: number[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/(^|\s)#.*$/, '');
    for (const token of line.match(/"[^"]*"|\S+/g) ?? []) {
      if (token.startsWith('"')) {
        if (!token.endsWith('"') || token.length < 2) throw new Error(`unterminated literal ${token}`);
        for (const ch of token.slice(1, -1)) {
          const code = ch.charCodeAt(0);
          if (code > 0x7e || code < 0x20) throw new Error(`non-ASCII char in literal ${token}`);
          bytes.push(code);
        }
        continue;
      }
      const repeat = /^([0-9a-fA-F]{2})\*(\d+)$/.exec(token);
      if (repeat !== null) {
        const [, byte = '', count = ''] = repeat;
        for (let i = 0; i < Number(count); i++) bytes.push(parseInt(byte, 16));
        continue;
      }
      if (!/^(?:[0-9a-fA-F]{2})+$/.test(token)) throw new Error(`bad hex token '${token}'`);
      for (let i = 0; i < token.length; i += 2) bytes.push(parseInt(token.slice(i, i + 2), 16));
    }
  }
  return Buffer.from(bytes);
}

export function loadHexFixture(name: string): Buffer {
  return parseHex(readFileSync(join(FIXTURE_DIR, name), 'utf8'));
}

/** A decoded record with its content copied, safe to keep after later pushes. */
export interface CopiedRecord {
  readonly type: number;
  readonly requestId: number;
  readonly content: Buffer;
}

export const copyRecord = (record: FcgiRecord): CopiedRecord => ({
  type: record.type,
  requestId: record.requestId,
  content: Buffer.from(record.content),
});

/** Feeds the chunks to one fresh decoder and returns every record, copied as it arrives. */
export function decodeChunks(chunks: Iterable<Buffer>): CopiedRecord[] {
  const decoder = new RecordDecoder();
  const records: CopiedRecord[] = [];
  for (const chunk of chunks) decoder.push(chunk, (record) => records.push(copyRecord(record)));
  return records;
}

/** Describes the first difference between two record lists, or returns undefined when equal. */
export function diffRecords(got: readonly CopiedRecord[], want: readonly CopiedRecord[]): string | undefined {
  if (got.length !== want.length) return `got ${got.length} records, want ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (g === undefined || w === undefined) return `record ${i} missing`;
    if (g.type !== w.type) return `record ${i}: type ${g.type}, want ${w.type}`;
    if (g.requestId !== w.requestId) return `record ${i}: requestId ${g.requestId}, want ${w.requestId}`;
    if (!g.content.equals(w.content)) {
      return `record ${i}: content of ${g.content.length} bytes differs from the wanted ${w.content.length}`;
    }
  }
  return undefined;
}

export const DEFAULT_VALUES: Readonly<Record<string, string>> = {
  FCGI_MAX_CONNS: '10',
  FCGI_MAX_REQS: '10',
  FCGI_MPXS_CONNS: '0',
};

export function makeSession(options: Partial<SessionOptions> = {}): ServerSession {
  return new ServerSession({
    maxParamsBytes: options.maxParamsBytes ?? 65536,
    roles: options.roles ?? new Set([FCGI_RESPONDER]),
    values: options.values ?? DEFAULT_VALUES,
  });
}

/** Sends records (or raw bytes through a decoder) into the session and returns what it emitted. */
export function feed(session: ServerSession, input: Buffer | readonly FcgiRecord[]): SessionEvent[] {
  const events: SessionEvent[] = [];
  const emit = (event: SessionEvent): void => {
    events.push(event);
  };
  if (Buffer.isBuffer(input)) {
    new RecordDecoder().push(input, (record) => session.receive(record, emit));
  } else {
    for (const record of input) session.receive(record, emit);
  }
  return events;
}

/** Runs fn and returns the ProtocolError it throws; fails on no error or another kind of error. */
export function catchProtocolError(fn: () => unknown, code: ErrorCode): ProtocolError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ProtocolError)) {
      throw new Error(`expected a ProtocolError ${code}, got ${String(err)}`, { cause: err });
    }
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`, { cause: err });
    return err;
  }
  throw new Error(`expected a ProtocolError ${code}, nothing was thrown`);
}
