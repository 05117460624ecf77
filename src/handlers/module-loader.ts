// Loads script modules once per child and finds their handler.
import { pathToFileURL } from 'node:url';
import { TsfpmError } from '../errors.js';
import type { FetchFunction } from './types.js';

export interface LoadedScript {
  readonly path: string;
  readonly fetch: FetchFunction;
}

const loaded = new Map<string, Promise<LoadedScript>>();

/** Finds a fetch handler in a module namespace: `export default fn`, `export default { fetch }`. */
export function findFetchHandler(namespace: Record<string, unknown>, path: string): FetchFunction {
  const candidate = namespace['default'];
  if (typeof candidate === 'function') return candidate as FetchFunction;
  if (typeof candidate === 'object' && candidate !== null) {
    const fetch = (candidate as { fetch?: unknown }).fetch;
    if (typeof fetch === 'function') return (fetch as FetchFunction).bind(candidate);
  }
  const named = namespace['fetch'];
  if (typeof named === 'function') return named as FetchFunction;
  throw new TsfpmError(
    'TSFPM_ERR_SCRIPT_BAD_EXPORT',
    `script '${path}' has no handler: expected \`export default { fetch(request, ctx) }\` or \`export default function (request, ctx)\``,
  );
}

export function loadScript(path: string): Promise<LoadedScript> {
  let pending = loaded.get(path);
  if (pending === undefined) {
    pending = import(pathToFileURL(path).href).then((namespace: Record<string, unknown>) => ({
      path,
      fetch: findFetchHandler(namespace, path),
    }));
    // A module that failed to load is tried again on the next request (the file may be fixed).
    pending.catch(() => loaded.delete(path));
    loaded.set(path, pending);
  }
  return pending;
}
