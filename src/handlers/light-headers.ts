// Header init values the light Response (fast-response.ts) can take without a Headers object: a
// plain object or an array of pairs, string names and values that pass the Fetch standard's checks.
// The pairs come back as Headers would iterate them: lower-case names, values without surrounding
// whitespace, sorted by name. Anything else (a Headers instance, duplicates, values needing
// conversion, invalid ones) answers undefined, and the real Headers decides (and throws).

/** RFC 9110 token: what a header name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** HTTP whitespace trimmed from values (Fetch "normalize"). */
const SURROUNDING_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
/** A value may not carry NUL, CR or LF, and as a ByteString no character above U+00FF. */
const INVALID_VALUE = /[\0\r\n\u0100-\uffff]/;

function normalizedPair(name: unknown, value: unknown): [string, string] | undefined {
  if (typeof name !== 'string' || typeof value !== 'string' || !TOKEN.test(name)) return undefined;
  const trimmed = value.replace(SURROUNDING_WHITESPACE, '');
  if (INVALID_VALUE.test(trimmed)) return undefined;
  return [name.toLowerCase(), trimmed];
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(value).length === 0;
}

function collect(init: object): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  if (Array.isArray(init)) {
    for (const entry of init as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 2) return undefined;
      const pair = normalizedPair(entry[0], entry[1]);
      if (pair === undefined) return undefined;
      pairs.push(pair);
    }
    return pairs;
  }
  if (!isPlainObject(init)) return undefined;
  const record = init as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    const pair = normalizedPair(name, record[name]);
    if (pair === undefined) return undefined;
    pairs.push(pair);
  }
  return pairs;
}

/** Normalised, sorted pairs for a simple, valid init; undefined when a real Headers must handle it. */
export function validHeaderPairs(init: unknown): [string, string][] | undefined {
  if (init === undefined) return [];
  if (typeof init !== 'object' || init === null) return undefined;
  const pairs = collect(init);
  if (pairs === undefined) return undefined;
  if (pairs.length > 1) {
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // Repeated names are combined by Headers (set-cookie kept apart): left to it.
    for (let i = 1; i < pairs.length; i++) if (pairs[i]?.[0] === pairs[i - 1]?.[0]) return undefined;
  }
  return pairs;
}
