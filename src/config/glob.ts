// A small glob(3) for `include = PATTERN` (Node 20 has no fs.glob). Supports `*`, `?`, `[...]`
// (with `!`/`^` negation and ranges) and `\` escapes in any path segment, directory segments included.
// Like glob(3) without GLOB_PERIOD, a leading '.' must be matched literally. Results are sorted
// byte-wise, as glob(3) does in the C locale, and directories are marked with a trailing '/'
// (GLOB_MARK) so the caller can skip them as php-fpm does.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type GlobResult =
  { readonly ok: true; readonly matches: readonly string[] } | { readonly ok: false; readonly error: string };

const MAGIC = /[*?[]/;

export function hasMagic(segment: string): boolean {
  return MAGIC.test(segment.replace(/\\./g, ''));
}

/** Glob an absolute pattern. */
export function globSync(pattern: string): GlobResult {
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let bases: string[] = [pattern.startsWith('/') ? '/' : '.'];
  for (const [index, segment] of segments.entries()) {
    if (segment === '' && index === 0) continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasMagic(segment)) {
        next.push(join(base, unescape(segment)));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue; // nothing to match here, not an error
        return { ok: false, error: `${code ?? 'error'} reading '${base}'` };
      }
      const re = segmentRegExp(segment);
      for (const name of names) if (re.test(name)) next.push(join(base, name));
    }
    bases = next;
  }
  const matches: string[] = [];
  for (const p of bases) {
    try {
      matches.push(statSync(p).isDirectory() ? `${p}/` : p);
    } catch {
      // a literal segment that does not exist: glob(3) reports no match for it, so neither do we
    }
  }
  matches.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { ok: true, matches };
}

function unescape(segment: string): string {
  return segment.replace(/\\(.)/g, '$1');
}

/** Translate one path segment of a glob into an anchored RegExp. */
export function segmentRegExp(segment: string): RegExp {
  let re = '^';
  if (!segment.startsWith('.')) re += '(?!\\.)';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '\\' && i + 1 < segment.length) {
      re += escapeRe(segment[++i] ?? '');
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      const cls = body.replace(/\\/g, '\\\\').replace(/\]/g, '\\]').replace(/\^/g, '\\^');
      re += negate ? `[^${cls}]` : `[${cls}]`;
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(`${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
