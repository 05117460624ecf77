// A web Request built lazily from CGI parameters. Measured on this kind of machine, a real Request
// with its headers and an abort signal costs ~50 µs, more than the rest of a small request: so the
// URL, method and headers are computed on first use, and everything that touches the body or internal
// state delegates to a real Request built on demand. `instanceof Request` holds; symbol reads of
// undici's internal slots (used by `new Request(request)`) are answered by the real Request too,
// through getters on the prototype (per-instance properties cost several µs per request).
import { Readable } from 'node:stream';
import type { Params } from '../fastcgi/params.js';
import { isValidHeader, methodHasBody, requestHeaders, requestUrl } from './fetch-request.js';

/** undici's internal slots of a Request in this Node version (state, headers, signal, ...). */
const INTERNAL_SLOTS: readonly symbol[] = Object.getOwnPropertySymbols(new Request('http://localhost/'));

/** The two things a LazyRequest needs from its ActiveRequest, both made only when asked for. */
export interface LazyRequestSource {
  readonly params: Params;
  /** The body stream (the request makes it on first access). */
  readonly body: Readable;
  readonly abort: { readonly signal: AbortSignal };
}

export class LazyRequest {
  readonly #source: LazyRequestSource;
  readonly #params: Params;
  #url: string | undefined;
  #headers: Headers | undefined;
  #body: ReadableStream<Uint8Array> | null | undefined;
  #real: Request | undefined;

  constructor(source: LazyRequestSource) {
    this.#source = source;
    this.#params = source.params;
  }

  get method(): string {
    return this.#params['REQUEST_METHOD'] ?? 'GET';
  }

  get url(): string {
    this.#url ??= requestUrl(this.#params);
    return this.#url;
  }

  get headers(): Headers {
    if (this.#real !== undefined) return this.#real.headers;
    this.#headers ??= new Headers(requestHeaders(this.#params).filter(isValidHeader));
    return this.#headers;
  }

  get signal(): AbortSignal {
    return this.#source.abort.signal;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real !== undefined) return this.#real.body;
    if (this.#body === undefined) {
      this.#body = methodHasBody(this.method)
        ? (Readable.toWeb(this.#source.body) as ReadableStream<Uint8Array>)
        : null;
    }
    return this.#body;
  }

  get bodyUsed(): boolean {
    return this.#real !== undefined ? this.#real.bodyUsed : this.#body?.locked === true;
  }

  get cache(): Request['cache'] {
    return 'default';
  }
  get credentials(): Request['credentials'] {
    return 'same-origin';
  }
  get destination(): Request['destination'] {
    return '';
  }
  get integrity(): string {
    return '';
  }
  get keepalive(): boolean {
    return false;
  }
  get mode(): Request['mode'] {
    return 'cors';
  }
  get redirect(): Request['redirect'] {
    return 'follow';
  }
  get referrer(): string {
    return this.headers.get('referer') ?? 'about:client';
  }
  get referrerPolicy(): Request['referrerPolicy'] {
    return '';
  }
  get duplex(): 'half' {
    return 'half';
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.toRequest().arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.toRequest().blob();
  }
  formData(): Promise<FormData> {
    return this.toRequest().formData();
  }
  json(): Promise<unknown> {
    return this.toRequest().json();
  }
  text(): Promise<string> {
    return this.toRequest().text();
  }
  clone(): Request {
    return this.toRequest().clone();
  }

  /** The real Request (built once); the body stream moves into it. */
  toRequest(): Request {
    if (this.#real === undefined) {
      const body = this.body;
      const init: RequestInit & { duplex?: 'half' } = {
        method: this.method,
        headers: this.headers,
        signal: this.signal,
      };
      if (body !== null) {
        init.body = body;
        init.duplex = 'half';
      }
      this.#real = new Request(this.url, init);
    }
    return this.#real;
  }

  get [Symbol.toStringTag](): string {
    return 'Request';
  }
}

// Handlers and frameworks check `request instanceof Request`; every accessor above shadows the native one.
Object.setPrototypeOf(LazyRequest.prototype, Request.prototype);
for (const slot of INTERNAL_SLOTS) {
  Object.defineProperty(LazyRequest.prototype, slot, {
    get(this: LazyRequest) {
      return (this.toRequest() as unknown as Record<symbol, unknown>)[slot];
    },
  });
}

export function lazyRequest(source: LazyRequestSource): Request {
  return new LazyRequest(source);
}
