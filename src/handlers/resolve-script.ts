// Which file a request names, and whether it may run: SCRIPT_FILENAME (or PATH_TRANSLATED), Apache's
// `proxy:fcgi://host:port` prefix stripped, `..` segments refused, security.limit_extensions enforced.
import { realpath, stat } from 'node:fs/promises';
import type { Params } from '../fastcgi/params.js';

export type ScriptResolution =
  | { readonly kind: 'ok'; readonly path: string; readonly mtimeMs: number }
  /** 404 `File not found.` with `Primary script unknown` on FastCGI STDERR. */
  | { readonly kind: 'not-found'; readonly path: string | undefined }
  /** 403 `Access denied.` */
  | { readonly kind: 'denied'; readonly path: string; readonly reason: string };

/** How long a resolved path is trusted before it is checked again (PHP's opcache.revalidate_freq). */
const REVALIDATE_MS = 2000;

const cache = new Map<string, { readonly result: ScriptResolution; readonly checkedAtMs: number }>();

/** The script path named by the request, before any file-system check. */
export function requestedScriptPath(params: Params): string | undefined {
  let path = params['SCRIPT_FILENAME'];
  if (path === undefined || path === '') path = params['PATH_TRANSLATED'];
  if (path === undefined || path === '') return undefined;
  // Apache mod_proxy_fcgi: proxy:fcgi://127.0.0.1:9000/var/www/x.js, proxy:balancer://name/var/www/x.js
  const proxied = /^proxy:(?:fcgi|balancer):\/\/[^/]*(\/.*)$/.exec(path);
  if (proxied?.[1] !== undefined) path = proxied[1].split('?')[0] ?? '';
  return path;
}

export function hasAllowedExtension(path: string, extensions: readonly string[]): boolean {
  return extensions.length === 0 || extensions.some((ext) => path.endsWith(ext));
}

export async function resolveScript(params: Params, extensions: readonly string[]): Promise<ScriptResolution> {
  const path = requestedScriptPath(params);
  if (path === undefined || path.split('/').includes('..')) return { kind: 'not-found', path };
  const now = Date.now();
  const cached = cache.get(path);
  if (cached !== undefined && now - cached.checkedAtMs < REVALIDATE_MS) return cached.result;
  const result = await check(path, extensions);
  cache.set(path, { result, checkedAtMs: now });
  if (cache.size > 10_000) cache.delete(cache.keys().next().value ?? path);
  return result;
}

async function check(path: string, extensions: readonly string[]): Promise<ScriptResolution> {
  if (!hasAllowedExtension(path, extensions)) {
    return { kind: 'denied', path, reason: 'security.limit_extensions' };
  }
  try {
    const real = await realpath(path);
    const info = await stat(real);
    if (!info.isFile()) return { kind: 'not-found', path };
    return { kind: 'ok', path: real, mtimeMs: info.mtimeMs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied', path, reason: 'permission denied' };
    return { kind: 'not-found', path };
  }
}
