// `tsfpm --dump-config`: the effective configuration (global section and every pool, each directive with its
// effective value, env[] and php_value[] entries) as an INI file that tsfpm loads back to the same
// configuration. The `ini` package's encode() writes it; where its escaping and PHP-INI disagree, the value is
// handed over in a form that reads back right:
// - ini escapes ';' and '#' in an unquoted value as '\;' and '\#', which PHP-INI reads as a backslash and a
//   comment, and it leaves a '"' inside a value, which PHP-INI reads as the start of a quoted string. Such a
//   value goes through ini's other branch, a JSON string, which PHP-INI's double quotes read back unchanged
//   (both unescape \" and \\) as long as the value holds no control character and no '${'.
// - ini's `key[] = v` arrays do not fit `env[NAME] = v`, so the brackets are part of the keys and ini's own
//   array suffix is turned off.
// Each line is read back with tsfpm's own lexer before it is accepted; a value that no INI line can carry
// (a newline, a '$pool' the loader would replace, ...) is reported instead of written wrong.
import { encode, safe } from 'ini';
import { isDeepStrictEqual } from 'node:util';
import { getPath } from './build.js';
import { DIRECTIVES } from './directives.js';
import { decodeValue, lexIni } from './ini-lexer.js';
import type { FpmConfig, PoolConfig } from './types.js';

/** One line to write. */
interface Entry {
  readonly name: string;
  /** undefined for `name = v`; the text between the brackets for `name[key] = v`. */
  readonly key: string | undefined;
  readonly value: string;
  /** Whether the value the lexer reads from the line gives back the configured one. */
  readonly readsBack: (lexed: string) => boolean;
}

/** An array entry (env[], php_value[], access.suppress_path[]): stored as the lexer reads it. */
const arrayEntry = (name: string, key: string, value: string): Entry => ({
  name,
  key,
  value,
  readsBack: (lexed) => lexed === value,
});

export type DumpIniResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problems: readonly string[] };

/** encode() prints a non-string item with JSON.stringify: this makes it print `text` as a JSON string. */
class JsonString {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

type Item = string | JsonString;
/**
 * Key → items, one `key = item` line each. Every value is an array even for one line: encode() would take a
 * lone JsonString (an object) for a sub-section.
 */
type Lines = Record<string, Item[]>;

const NO_ENV = (): undefined => undefined;
/** `key = value` (PHP's own files put spaces around '='); no `[]` added to array keys (they carry their own). */
const OPTIONS = { whitespace: true, bracketedArray: false } as const;

/** The value itself when ini writes it so that it reads back, else a JsonString. */
function iniItem(entry: Entry): Item {
  const plain = lexedValue(safe(entry.value));
  return plain !== undefined && entry.readsBack(plain) ? entry.value : new JsonString(entry.value);
}

/** What the lexer reads from the text after '=', or undefined for a syntax error (an unclosed quote). */
function lexedValue(text: string): string | undefined {
  try {
    return decodeValue(text, NO_ENV);
  } catch {
    return undefined;
  }
}

/** `name[key]`, the key in quotes where the lexer would otherwise trim it or strip its own quotes. */
function keyText(entry: Entry): string {
  const k = entry.key;
  if (k === undefined) return entry.name;
  const edgeQuotes = k.length >= 2 && (k[0] === '"' || k[0] === "'") && k[0] === k[k.length - 1];
  return `${entry.name}[${k !== k.trim() || edgeQuotes ? `"${k}"` : k}]`;
}

type Fields = Readonly<Record<string, unknown>>;

function scalars(scope: 'global' | 'pool', fields: Fields): Entry[] {
  const out: Entry[] = [];
  for (const d of DIRECTIVES) {
    if (d.scope !== scope || d.kind !== 'scalar' || d.key === undefined) continue;
    const value = getPath(fields, d.key);
    // A directive tsfpm ignores is written only when it was set: at its default it would only add a warning.
    if (d.ignoredBecause !== undefined && value === d.default) continue;
    // php-fpm checks the trace depth only when it is set, and then wants a slowlog.
    if (d.name === 'request_slowlog_trace_depth' && fields['slowlog'] === undefined) continue;
    const text = d.type.write(value);
    if (text === undefined) continue;
    const readsBack = (lexed: string): boolean => {
      const parsed = d.type.parse(lexed);
      return parsed.ok && isDeepStrictEqual(parsed.value, value);
    };
    out.push({ name: d.name, key: undefined, value: text, readsBack });
  }
  return out;
}

function globalEntries(config: FpmConfig): Entry[] {
  // log_level at its default stays unset, so that -tt still prints it as unset (as php-fpm does).
  const keep = (e: Entry): boolean => e.name !== 'log_level' || config.global.logLevelSet;
  return scalars('global', config.global as unknown as Fields).filter(keep);
}

function poolEntries(pool: PoolConfig, problems: string[]): Entry[] {
  const out = scalars('pool', pool as unknown as Fields);
  for (const path of pool.accessSuppressPaths) out.push(arrayEntry('access.suppress_path', '', path));
  for (const [key, value] of Object.entries(pool.env)) {
    // env[X] = $NAME copies the master's variable NAME, so no written value may start with '$'; a bare '$'
    // names no variable and gives the empty value, which `env[X] =` would refuse.
    if (value.startsWith('$')) {
      problems.push(`pool [${pool.name}] env[${key}]: a value starting with '$' reads back as a variable name`);
    } else out.push(arrayEntry('env', key, value === '' ? '$' : value));
  }
  for (const [key, value] of Object.entries(pool.phpValues)) out.push(arrayEntry('php_value', key, value));
  for (const [key, value] of Object.entries(pool.phpAdminValues)) out.push(arrayEntry('php_admin_value', key, value));
  return out;
}

/** Why `line` (ini's text for `entry`) does not read back as `entry`, or undefined when it does. */
function misread(line: string, entry: Entry): string | undefined {
  // The loader replaces $pool after the lexer (and refuses it in [global]): no quoting protects it.
  if (entry.value.includes('$pool')) return "it contains '$pool', which the loader replaces";
  const { tokens, errors } = lexIni(line, 'dump', NO_ENV);
  const token = tokens[0];
  if (errors.length > 0 || tokens.length !== 1 || token?.kind !== 'entry') return 'it is not one INI line';
  if (token.name !== entry.name || token.key !== entry.key) {
    return `its name reads back as '${token.name}${token.key === undefined ? '' : `[${token.key}]`}'`;
  }
  if (token.value === undefined || !entry.readsBack(token.value)) {
    return `its value reads back as ${JSON.stringify(token.value)}`;
  }
  return undefined;
}

function sectionText(name: string, entries: readonly Entry[], problems: string[]): string {
  const header = encode({ x: '' }, { ...OPTIONS, section: name }).split('\n')[0] ?? '';
  const opened = lexIni(header, 'dump', NO_ENV).tokens[0];
  if (opened?.kind !== 'section' || opened.name !== name) {
    problems.push(`the pool name ${JSON.stringify(name)} cannot be written as a section header`);
  }
  const lines: Lines = {};
  for (const entry of entries) {
    const item = iniItem(entry);
    const why = misread(encode({ [keyText(entry)]: [item] }, OPTIONS).trimEnd(), entry);
    const at = name === 'global' ? '[global]' : `pool [${name}]`;
    if (why !== undefined) problems.push(`${at} ${keyText(entry)} = ${JSON.stringify(entry.value)}: ${why}`);
    else (lines[keyText(entry)] ??= []).push(item);
  }
  return encode(lines, { ...OPTIONS, section: name });
}

/** The configuration as INI text, or what keeps it from being written; `comments` become leading `;` lines. */
export function dumpIni(config: FpmConfig, comments: readonly string[] = []): DumpIniResult {
  const problems: string[] = [];
  const blocks = [sectionText('global', globalEntries(config), problems)];
  for (const pool of config.pools) blocks.push(sectionText(pool.name, poolEntries(pool, problems), problems));
  if (problems.length > 0) return { ok: false, problems };
  const head = comments.map((c) => `; ${c}\n`).join('');
  return { ok: true, text: `${head}${head === '' ? '' : '\n'}${blocks.join('\n')}` };
}
