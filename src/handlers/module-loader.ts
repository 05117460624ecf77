// Loads script modules once per child and finds their handler. ES modules cannot be evicted from
// Node's cache, so a changed file (new mtime) is imported again under a versioned URL: that copy
// serves the child's last requests while it retires (script-reload.ts), and the old one leaks until
// the child exits. Scripts are ES modules wherever they live (script-format-hooks.ts); TypeScript
// files go through tsx's loader, registered on the first one.
import type { RequestListener } from 'node:http';
import { register } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HandlerMode } from '../config/types.js';
import { TsfpmError } from '../errors.js';
import { appPrototypes, type AppPrototypes } from './app-prototypes.js';
import { looksLikeNodeListener } from './handler-shape.js';
import { nearestPackageType } from './script-format.js';
import { explainLoadError } from './script-load-error.js';
import type { FetchFunction } from './types.js';

export type ScriptHandler =
  | { readonly kind: 'fetch'; readonly fetch: FetchFunction }
  | { readonly kind: 'node'; readonly listener: RequestListener; readonly prototypes?: AppPrototypes | undefined };

export interface LoadedScript {
  readonly path: string;
  readonly mtimeMs: number;
  readonly handler: ScriptHandler;
}

const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/;
let formatHooksRegistered = false;
let tsxRegistered: Promise<void> | undefined;

const AMBIGUOUS = /\.(?:js|jsx|ts|tsx)$/;

/**
 * Only a script Node could read as CommonJS needs the format hooks (a hooks thread per child): an
 * .mjs script, or a .js one in a "type": "module" package, loads without them.
 */
function needsFormatHooks(path: string): boolean {
  return AMBIGUOUS.test(path) && nearestPackageType(dirname(path)) !== 'module';
}

/** The script-format hooks, once per thread, before tsx's (so tsx transforms what they decided). */
function registerFormatHooks(): void {
  if (formatHooksRegistered) return;
  formatHooksRegistered = true;
  register(new URL('./script-format-hooks.js', import.meta.url));
}

/**
 * tsx's hooks, once per thread, only when a .ts script appears: the ESM ones (module.register under
 * the hood) and the CommonJS ones, for a .ts file that assigns module.exports.
 */
function registerTypeScript(): Promise<void> {
  registerFormatHooks();
  tsxRegistered ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, cjs]) => {
    esm.register();
    cjs.register();
  });
  return tsxRegistered;
}

const hasFunction = (value: unknown, name: string): boolean =>
  (typeof value === 'function' || (typeof value === 'object' && value !== null)) &&
  typeof (value as Record<string, unknown>)[name] === 'function';

/**
 * Which handler a module exports, for the pool's `handler` mode. auto: an object with `fetch` →
 * fetch (Hono apps too); a function with `handle` or `listen` (Express, Connect), or one declared
 * `(req, res)` / `(request, response)` → node; any other function → fetch. node: a function →
 * `(req, res)`; an object with `handle` → its handle.
 */
export function findHandler(namespace: Record<string, unknown>, path: string, mode: HandlerMode): ScriptHandler {
  const candidate = namespace['default'];
  const nodeShaped =
    hasFunction(candidate, 'handle') ||
    (typeof candidate === 'function' &&
      (hasFunction(candidate, 'listen') || looksLikeNodeListener(candidate as (...args: never[]) => unknown)));
  if (mode === 'node' || (mode === 'auto' && nodeShaped && !hasFunction(candidate, 'fetch'))) {
    const prototypes = appPrototypes(candidate);
    if (typeof candidate === 'function') return { kind: 'node', listener: candidate as RequestListener, prototypes };
    if (hasFunction(candidate, 'handle')) {
      const app = candidate as { handle: RequestListener };
      return { kind: 'node', listener: (req, res) => app.handle(req, res), prototypes };
    }
    throw new TsfpmError(
      'TSFPM_ERR_SCRIPT_BAD_EXPORT',
      `script '${path}' has no Node handler: expected \`export default function (req, res)\` or an Express/Connect app`,
    );
  }
  if (typeof candidate === 'function') return { kind: 'fetch', fetch: candidate as FetchFunction };
  if (hasFunction(candidate, 'fetch')) {
    const object = candidate as { fetch: FetchFunction };
    return { kind: 'fetch', fetch: object.fetch.bind(candidate) };
  }
  const named = namespace['fetch'];
  if (typeof named === 'function') return { kind: 'fetch', fetch: named as FetchFunction };
  throw new TsfpmError(
    'TSFPM_ERR_SCRIPT_BAD_EXPORT',
    `script '${path}' has no handler: expected \`export default { fetch(request, ctx) }\` or \`export default function (request, ctx)\``,
  );
}

/** The first version of each path loaded here keeps the plain URL; later versions get `?v=mtime`. */
const firstVersion = new Map<string, number>();
const loaded = new Map<string, Promise<LoadedScript>>();
/**
 * The scripts whose import has finished, by path (the version whose mtime matches runs), for a lookup
 * without a promise hop and without building a key string per request.
 */
const ready = new Map<string, LoadedScript>();

export async function importScript(path: string, mtimeMs: number): Promise<Record<string, unknown>> {
  if (needsFormatHooks(path)) registerFormatHooks();
  if (TYPESCRIPT.test(path)) await registerTypeScript();
  const first = firstVersion.get(path);
  if (first === undefined) firstVersion.set(path, mtimeMs);
  const url = pathToFileURL(path);
  if (first !== undefined && first !== mtimeMs) url.search = `v=${mtimeMs}`;
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (err) {
    throw await explainLoadError(err, path);
  }
}

/** The script when it is already loaded (nearly every request), else the promise of it. */
export function loadScript(path: string, mtimeMs: number, mode: HandlerMode): LoadedScript | Promise<LoadedScript> {
  const done = ready.get(path);
  if (done?.mtimeMs === mtimeMs) return done;
  const key = `${mtimeMs}:${path}`;
  let pending = loaded.get(key);
  if (pending === undefined) {
    pending = importScript(path, mtimeMs).then((namespace) => {
      const script: LoadedScript = { path, mtimeMs, handler: findHandler(namespace, path, mode) };
      // The version loaded last (an edited script's child retires); another one is found through `loaded`.
      ready.set(path, script);
      return script;
    });
    // A module that failed to load is tried again on the next request (the file may be fixed).
    pending.catch(() => loaded.delete(key));
    loaded.set(key, pending);
  }
  return pending;
}
