// The bytes of a Response built from a string or bytes, without reading its stream. Reading a
// ReadableStream costs tens of µs of promise hops per response; undici keeps the original source
// next to the stream. This looks at undici's internal state, so every condition is checked and
// anything unexpected falls back to reading the stream.

import { FastResponse } from './fast-response.js';

const STATE = Object.getOwnPropertySymbols(new Response('')).find((s) => s.description === 'state');

interface BodyState {
  readonly source?: unknown;
  readonly stream?: ReadableStream;
}

export function responseBodySource(response: Response): Uint8Array | undefined {
  if (response instanceof FastResponse) return response.takeKeptBody();
  if (STATE === undefined || response.bodyUsed) return undefined;
  const state = (response as unknown as Record<symbol, { body?: BodyState | null } | undefined>)[STATE];
  const body = state?.body;
  if (body === undefined || body === null || body.stream === undefined || body.stream.locked) return undefined;
  const source = body.source;
  if (typeof source === 'string') return Buffer.from(source, 'utf8');
  if (source instanceof Uint8Array) return source;
  return undefined;
}
