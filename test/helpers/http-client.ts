// HTTP through node:http for the nginx e2e tests: status, headers, body and its sha256, with a
// deadline on every request.
import { createHash } from 'node:crypto';
import { request as httpRequestRaw, type Agent, type IncomingHttpHeaders } from 'node:http';
import { DeadlineError } from './wait-for.js';

export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A buffer, or chunks written one after another with backpressure (a large upload). */
  readonly body?: Buffer | string | Iterable<Buffer>;
  /** An agent (keep-alive pool) or false for a fresh connection (default false). */
  readonly agent?: Agent | false;
  readonly timeoutMs?: number;
  /** Keep the body only as its hash and length (large downloads). */
  readonly hashOnly?: boolean;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly bytes: number;
  readonly sha256: string;
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const body = options.body;
    const headers: Record<string, string> = { ...options.headers };
    if (typeof body === 'string' || Buffer.isBuffer(body))
      headers['content-length'] ??= String(Buffer.byteLength(body));
    const req = httpRequestRaw(url, { method: options.method ?? 'GET', headers, agent: options.agent ?? false });
    const timer = setTimeout(() => {
      req.destroy(new DeadlineError(`${options.method ?? 'GET'} ${url} got no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.once('response', (res) => {
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (options.hashOnly !== true) chunks.push(chunk);
      });
      res.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      res.once('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          bytes,
          sha256: hash.digest('hex'),
        });
      });
    });
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      for (const chunk of body) {
        if (req.destroyed) return;
        if (!req.write(chunk)) {
          await new Promise<void>((resume) => {
            const done = (): void => {
              req.off('drain', done);
              req.off('close', done);
              resume();
            };
            req.on('drain', done);
            req.on('close', done);
          });
        }
      }
      req.end();
    })();
  });
}

/** Deterministic pseudo-random bytes (xorshift32), so a failing upload can be reproduced. */
export function pseudoRandomBytes(length: number, seed = 0x2545f491): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  for (; i < length; i++) out[i] = i & 0xff;
  return out;
}

/** A buffer as chunks of `size` bytes (an upload written piecewise). */
export function* chunksOf(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}
