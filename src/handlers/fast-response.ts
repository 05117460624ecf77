// A Response for the common answer (a string or bytes, a plain status, plain headers) that skips
// undici's constructor: measured in a child, `new Response(text, { headers })` with its webidl
// conversions, Headers list and body stream was the largest single cost of a small request. Such a
// "light" Response keeps its body and normalised header pairs as they are; the Headers object and the
// body stream are made only when a script or library asks for them, and the writer sends the kept
// bytes and pairs directly. Anything else (streams, Blobs, form data, null-body statuses, a Headers
// instance, values that need conversion or fail validation) goes to the real constructor, which also
// throws the errors the spec wants. Unlike the real one, bytes are not copied: a script that changes
// them after `new Response(bytes)` changes the answer. Children install it as the global Response
// before loading scripts.
import { validHeaderPairs } from './light-headers.js';
import { responseHeaders } from './response-headers.js';

/** Response's members as accessors and methods, so the subclass may override them (the DOM typings declare properties). */
interface ResponseMembers {
  readonly headers: Headers;
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly type: Response['type'];
  readonly url: string;
  readonly redirected: boolean;
  get body(): ReadableStream<Uint8Array> | null;
  get bodyUsed(): boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  blob(): Promise<Blob>;
  bytes(): Promise<Uint8Array>;
  formData(): Promise<FormData>;
  clone(): Response;
}
type Body = ConstructorParameters<typeof Response>[0];
const BaseResponse = globalThis.Response as unknown as {
  new (body?: Body, init?: ResponseInit): ResponseMembers;
  readonly prototype: ResponseMembers;
};
const realResponse = globalThis.Response;

/** Statuses whose response may not have a body (the real constructor throws for them). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
/** RFC 9110 reason-phrase characters, as the Fetch standard checks statusText. */
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;
const TEXT_CONTENT_TYPE = 'text/plain;charset=UTF-8';

/** The state of a light Response (a real one has none). */
interface LightState {
  readonly status: number;
  readonly statusText: string;
  /** The body as given; the stream and the bytes are made from it on demand. */
  readonly kept: Uint8Array | string;
  /** Normalised header pairs, sorted by name like Headers iterates them; undefined once `headers` exists. */
  pairs: [string, string][] | undefined;
  headers: Headers | undefined;
  stream: ReadableStream<Uint8Array> | undefined;
  used: boolean;
}

const LIGHT = Symbol('tsfpm.lightResponse');
type MaybeLight = { [LIGHT]?: LightState };

const encoder = new TextEncoder();

/** The light state for this body and init, or undefined when the real constructor must decide. */
function lightState(body: Body | undefined, init: ResponseInit | undefined): LightState | undefined {
  let kept: Uint8Array | string;
  if (typeof body === 'string' || body instanceof Uint8Array) kept = body;
  else if (body instanceof ArrayBuffer) kept = new Uint8Array(body);
  else return undefined;
  const status = init?.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599 || NULL_BODY_STATUS.has(status)) return undefined;
  const statusText = init?.statusText ?? '';
  if (typeof statusText !== 'string' || !REASON_PHRASE.test(statusText)) return undefined;
  const pairs = validHeaderPairs(init?.headers);
  if (pairs === undefined) return undefined;
  if (typeof kept === 'string' && !pairs.some(([name]) => name === 'content-type')) {
    pairs.push(['content-type', TEXT_CONTENT_TYPE]);
    pairs.sort(byName);
  }
  return { status, statusText, kept, pairs, headers: undefined, stream: undefined, used: false };
}

const byName = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

const stateOf = (response: object): LightState | undefined => (response as MaybeLight)[LIGHT];

function baseGet<T>(name: keyof ResponseMembers, response: object): T {
  return Reflect.get(BaseResponse.prototype, name, response) as T;
}

export class FastResponse extends BaseResponse {
  constructor(body?: Body, init?: ResponseInit) {
    const light = lightState(body, init);
    if (light === undefined) {
      super(body, init);
      return;
    }
    // No undici constructor: an object of this class with its state in one slot. A derived
    // constructor may return an object instead of calling super.
    const self = Object.create(new.target.prototype) as MaybeLight;
    self[LIGHT] = light;
    return self as unknown as FastResponse;
  }

  static json(data: unknown, init?: ResponseInit): Response {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError('Response.json: the value cannot be serialised to JSON');
    const headers = new Headers(init?.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new FastResponse(text, { ...init, headers: [...headers] });
  }

  /** The kept body (a string is sent as UTF-8), once, for the writer; undefined when it is a stream or already used. */
  takeKeptBody(): Uint8Array | string | undefined {
    const state = stateOf(this);
    if (state === undefined || state.used || state.stream !== undefined) return undefined;
    state.used = true;
    return state.kept;
  }

  /** The header lines to send: the kept pairs while nobody made the Headers object, else from it. */
  headerPairs(): [string, string][] {
    const state = stateOf(this);
    if (state?.pairs !== undefined) return state.pairs;
    return responseHeaders(this);
  }

  override get status(): number {
    return stateOf(this)?.status ?? baseGet('status', this);
  }

  override get statusText(): string {
    return stateOf(this)?.statusText ?? baseGet('statusText', this);
  }

  override get ok(): boolean {
    const state = stateOf(this);
    return state === undefined ? baseGet('ok', this) : state.status >= 200 && state.status <= 299;
  }

  override get type(): Response['type'] {
    return stateOf(this) === undefined ? baseGet('type', this) : 'default';
  }

  override get url(): string {
    return stateOf(this) === undefined ? baseGet('url', this) : '';
  }

  override get redirected(): boolean {
    return stateOf(this) === undefined ? baseGet('redirected', this) : false;
  }

  override get headers(): Headers {
    const state = stateOf(this);
    if (state === undefined) return baseGet('headers', this);
    if (state.headers === undefined) {
      // From now on the script may change them: the writer reads this object instead of the pairs.
      state.headers = new Headers(state.pairs);
      state.pairs = undefined;
    }
    return state.headers;
  }

  override get body(): ReadableStream<Uint8Array> | null {
    const state = stateOf(this);
    if (state === undefined) return baseGet('body', this);
    if (state.stream === undefined) {
      const bytes = state.used ? new Uint8Array(0) : bytesOf(state.kept);
      state.stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.length > 0) controller.enqueue(bytes);
          controller.close();
        },
      });
    }
    return state.stream;
  }

  override get bodyUsed(): boolean {
    const state = stateOf(this);
    if (state === undefined) return baseGet('bodyUsed', this);
    return state.used || (state.stream !== undefined && state.stream.locked);
  }

  override async text(): Promise<string> {
    const state = stateOf(this);
    if (state === undefined) return super.text();
    if (state.stream !== undefined) return this.#asRealResponse(state).text();
    const kept = consume(this, state);
    return typeof kept === 'string' ? kept : Buffer.from(kept).toString('utf8');
  }

  override async json(): Promise<unknown> {
    if (stateOf(this) === undefined) return super.json();
    return JSON.parse(await this.text()) as unknown;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const state = stateOf(this);
    if (state === undefined) return super.arrayBuffer();
    if (state.stream !== undefined) return this.#asRealResponse(state).arrayBuffer();
    const bytes = bytesOf(consume(this, state));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  override async bytes(): Promise<Uint8Array> {
    const state = stateOf(this);
    if (state === undefined) return super.bytes();
    return new Uint8Array(await this.arrayBuffer());
  }

  override async blob(): Promise<Blob> {
    const state = stateOf(this);
    if (state === undefined) return super.blob();
    if (state.stream !== undefined) return this.#asRealResponse(state).blob();
    const type = this.headers.get('content-type') ?? '';
    return new Blob([bytesOf(consume(this, state))], { type });
  }

  override async formData(): Promise<FormData> {
    const state = stateOf(this);
    if (state === undefined) return super.formData();
    return this.#asRealResponse(state).formData();
  }

  override clone(): Response {
    const state = stateOf(this);
    if (state === undefined) return super.clone();
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const headers = state.pairs ?? [...this.headers];
    return new FastResponse(state.kept, {
      status: state.status,
      statusText: state.statusText,
      headers,
    });
  }

  #asRealResponse(state: LightState): Response {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    const body = state.stream ?? bytesOf(state.kept);
    state.used = true;
    return new realResponse(body, { status: state.status, statusText: state.statusText, headers: this.headers });
  }
}

function bytesOf(kept: Uint8Array | string): Uint8Array {
  return typeof kept === 'string' ? encoder.encode(kept) : kept;
}

function consume(response: FastResponse, state: LightState): Uint8Array | string {
  if (response.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
  state.used = true;
  return state.kept;
}

/** Makes FastResponse the global Response of this process (children only). */
export function installFastResponse(): void {
  globalThis.Response = FastResponse as unknown as typeof Response;
}
