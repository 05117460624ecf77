// The body of a Response built from a string or bytes, without reading its stream. Reading a
// ReadableStream costs tens of µs of promise hops per response; undici keeps the original source
// next to the stream. This looks at undici's internal state, so every condition is checked and
// anything unexpected falls back to reading the stream.

import { FastResponse } from './fast-response.js';

const STATE = Object.getOwnPropertySymbols(new Response('')).find((s) => s.description === 'state');

interface BodyState {
  readonly source?: unknown;
  readonly stream?: ReadableStream;
}

/** The body as given (a string is sent as UTF-8), or undefined when the stream must be read. */
export function responseBodySource(response: Response): string | Uint8Array | undefined {
  if (response instanceof FastResponse) return response.takeKeptBody();
  if (STATE === undefined || response.bodyUsed) return undefined;
  const state = (response as unknown as Record<symbol, { body?: BodyState | null } | undefined>)[STATE];
  const body = state?.body;
  if (body === undefined || body === null || body.stream === undefined || body.stream.locked) return undefined;
  const source = body.source;
  // undici keeps its own copy of bytes given to the constructor: nothing else changes them.
  if (typeof source === 'string' || source instanceof Uint8Array) return source;
  return undefined;
}
