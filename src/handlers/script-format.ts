// Is this source an ES module or CommonJS, by its own syntax? Used for scripts Node would read as
// CommonJS only because no package.json says "type": "module" (script-format-hooks.ts). An import or
// export statement, or import.meta, makes it an ES module; anything else stays CommonJS, as Node's
// own module syntax detection decides for a .js file without a "type". Comments and the contents of
// strings and template literals are blanked first, so `// export default` or "import x" do not count.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type ScriptFormat = 'module' | 'commonjs';

/** The code with comments removed and string/template contents blanked (quotes kept). */
export function codeOnly(source: string): string {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i] ?? '';
    const next = source[i + 1] ?? '';
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out += ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && source[j] !== c && !(c !== '`' && source[j] === '\n')) j += source[j] === '\\' ? 2 : 1;
      out += `${c} ${c}`;
      i = j + 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

// At the start of a statement: the file's start, a new line, or after `;` / `}`.
const IMPORT_STATEMENT = /(?:^|[\n;}])\s*import(?:\s+[\w$]|\s*[{*"'])/;
const EXPORT_STATEMENT = /(?:^|[\n;}])\s*export(?:\s+[\w$]|\s*[{*])/;
const IMPORT_META = /\bimport\s*\.\s*meta\b/;

export function detectScriptFormat(source: string): ScriptFormat {
  const code = codeOnly(source);
  return IMPORT_STATEMENT.test(code) || EXPORT_STATEMENT.test(code) || IMPORT_META.test(code) ? 'module' : 'commonjs';
}

const packageTypes = new Map<string, string | undefined>();

/** The "type" of the nearest package.json above `dir` (undefined: none, or no "type"). Cached per folder. */
export function nearestPackageType(dir: string): string | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: string | undefined;
  let found = false;
  try {
    const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
    type = typeof parsed.type === 'string' ? parsed.type : undefined;
    found = true;
  } catch {
    // no package.json here (or an unreadable one, which Node would also pass over): look further up
  }
  if (!found && dirname(dir) !== dir) type = nearestPackageType(dirname(dir));
  packageTypes.set(dir, type);
  return type;
}
