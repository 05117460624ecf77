// Which file a request names, and whether it may run: SCRIPT_FILENAME (or PATH_TRANSLATED), Apache's
// `proxy:fcgi://host:port` prefix stripped, `..` segments refused, PHP-FPM's path-info walk for a
// SCRIPT_FILENAME that does not exist (sapi/fpm/fpm/fpm_main.c, init_request_info()),
// security.limit_extensions enforced, the real path confined to script_root when the pool sets one
// (a symlink out of it is refused).
import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import type { Params } from '../fastcgi/params.js';

export type ScriptResolution =
  | {
      readonly kind: 'ok';
      /** The real path (symlinks resolved): what runs. */
      readonly path: string;
      readonly mtimeMs: number;
      /** Set when the path-info walk found the script: the file as named, and the rest of the path. */
      readonly walked: { readonly scriptFilename: string; readonly pathInfo: string } | undefined;
    }
  /** 404 `File not found.` with `Primary script unknown` on FastCGI STDERR. */
  | { readonly kind: 'not-found'; readonly path: string | undefined }
  /** 403 `Access denied.` */
  | { readonly kind: 'denied'; readonly path: string; readonly reason: string };

export interface ResolveOptions {
  readonly extensions: readonly string[];
  /** Real path scripts must live under (script_root); undefined: anywhere. */
  readonly root: string | undefined;
}

/** How long a resolved path is trusted before it is checked again (PHP's opcache.revalidate_freq). */
const REVALIDATE_MS = 2000;

const cache = new Map<string, { readonly result: ScriptResolution; readonly checkedAtMs: number }>();
let realRoot: { readonly root: string; readonly real: Promise<string> } | undefined;

/** The script path named by the request, before any file-system check. */
export function requestedScriptPath(params: Params): string | undefined {
  let path = params['SCRIPT_FILENAME'];
  if (path === undefined || path === '') path = params['PATH_TRANSLATED'];
  if (path === undefined || path === '') return undefined;
  return path.startsWith('proxy:') ? withoutProxyPrefix(path) : path;
}

/** Apache mod_proxy_fcgi: proxy:fcgi://127.0.0.1:9000/var/www/x.js, proxy:balancer://name/var/www/x.js → the path. */
function withoutProxyPrefix(path: string): string {
  const proxied = /^proxy:(?:fcgi|balancer):\/\/[^/]*(\/.*)$/.exec(path);
  return proxied?.[1] === undefined ? path : (proxied[1].split('?')[0] ?? '');
}

/**
 * PHP-FPM strips Apache's prefix from SCRIPT_FILENAME in place (fpm_main.c init_request_info), so the
 * script sees the file path and no ORIG_SCRIPT_FILENAME; a path-info walk after it keeps the stripped
 * path as ORIG_SCRIPT_FILENAME. Apache 2.4's `SetHandler "proxy:unix:…|fcgi://localhost"` sends
 * `proxy:fcgi://localhost/docroot/x.mjs` (test/e2e/apache).
 */
export function stripProxyPrefix(params: Params): void {
  const original = params['SCRIPT_FILENAME'];
  if (original?.startsWith('proxy:') === true) params['SCRIPT_FILENAME'] = withoutProxyPrefix(original);
}

export function hasAllowedExtension(path: string, extensions: readonly string[]): boolean {
  return extensions.length === 0 || extensions.some((ext) => path.endsWith(ext));
}

/**
 * The resolution; synchronous while the path's last check is fresh (nearly every request). `nowMs`
 * may be a clock read made a moment earlier (the request's start): it only ages the check.
 */
export function resolveScript(
  params: Params,
  options: ResolveOptions,
  nowMs = Date.now(),
): ScriptResolution | Promise<ScriptResolution> {
  stripProxyPrefix(params);
  const path = requestedScriptPath(params);
  if (path === undefined || (path.includes('..') && path.split('/').includes('..'))) return { kind: 'not-found', path };
  const now = nowMs;
  const cached = cache.get(path);
  if (cached !== undefined && now - cached.checkedAtMs < REVALIDATE_MS) return cached.result;
  return check(path, options).then((result) => {
    cache.set(path, { result, checkedAtMs: now });
    if (cache.size > 10_000) cache.delete(cache.keys().next().value ?? path);
    return result;
  });
}

type Found = { readonly real: string; readonly mtimeMs: number } | 'missing' | 'not-a-file' | 'denied';

async function find(path: string): Promise<Found> {
  try {
    const real = await realpath(path);
    const info = await stat(real);
    return info.isFile() ? { real, mtimeMs: info.mtimeMs } : 'not-a-file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? 'denied' : 'missing';
  }
}

async function check(path: string, options: ResolveOptions): Promise<ScriptResolution> {
  let found = await find(path);
  let scriptFilename = path;
  let walked: { scriptFilename: string; pathInfo: string } | undefined;
  if (found === 'missing') {
    // cgi.fix_pathinfo: /app/index.mjs/users/7 runs /app/index.mjs with PATH_INFO=/users/7.
    for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
      const candidate = await find(path.slice(0, cut));
      if (candidate === 'missing') continue;
      if (typeof candidate === 'object') {
        found = candidate;
        scriptFilename = path.slice(0, cut);
        walked = { scriptFilename, pathInfo: path.slice(cut) };
      }
      break;
    }
  }
  if (found === 'missing' || found === 'not-a-file') return { kind: 'not-found', path };
  if (!hasAllowedExtension(scriptFilename, options.extensions)) {
    return { kind: 'denied', path: scriptFilename, reason: 'security.limit_extensions' };
  }
  if (found === 'denied') return { kind: 'denied', path, reason: 'permission denied' };
  if (options.root !== undefined && !(await isInside(found.real, options.root))) {
    return { kind: 'denied', path: scriptFilename, reason: 'script_root' };
  }
  return { kind: 'ok', path: found.real, mtimeMs: found.mtimeMs, walked };
}

async function isInside(real: string, root: string): Promise<boolean> {
  if (realRoot?.root !== root) realRoot = { root, real: realpath(root).catch(() => root) };
  const base = await realRoot.real;
  return real.startsWith(base.endsWith(sep) ? base : base + sep);
}

/** The CGI variables a path-info walk changes, as PHP-FPM sets them (originals kept as ORIG_*). */
export function applyPathInfo(params: Params, scriptFilename: string, pathInfo: string): void {
  const set = (name: string, value: string): void => {
    const old = params[name];
    if (old !== undefined && old !== value) params[`ORIG_${name}`] = old;
    params[name] = value;
  };
  set('SCRIPT_FILENAME', scriptFilename);
  set('PATH_INFO', pathInfo);
  const scriptName = params['SCRIPT_NAME'];
  if (scriptName !== undefined && scriptName.endsWith(pathInfo) && scriptName.length > pathInfo.length) {
    set('SCRIPT_NAME', scriptName.slice(0, -pathInfo.length));
  }
  const docRoot = params['DOCUMENT_ROOT'];
  if (docRoot !== undefined && docRoot !== '') set('PATH_TRANSLATED', docRoot.replace(/\/$/, '') + pathInfo);
}
