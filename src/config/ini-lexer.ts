// PHP-INI tokenizer (the rules of Zend/zend_ini_scanner.l) with file:line on every token.
// php-fpm feeds each non-empty line to PHP's INI parser as its own document (fpm_conf_load_ini_file()),
// so we do the same: no multi-line values, and a section header only changes the state for the following
// lines.
// The `ini` package's parse() is not used: it merges `[name] ; comment` into the previous section,
// cuts values at '#', nests dotted section names and keeps no line numbers.

export interface SourcePos {
  readonly file: string;
  readonly line: number;
}

export type IniToken =
  | (SourcePos & { readonly kind: 'section'; readonly name: string })
  | (SourcePos & {
      readonly kind: 'entry';
      readonly name: string;
      /** undefined for `name = v`; the text between brackets for `name[key] = v` ('' for `name[]`). */
      readonly key: string | undefined;
      /** undefined when the line has no '=' at all (php-fpm: "value is NULL …"). */
      readonly value: string | undefined;
    });

export interface LexError extends SourcePos {
  readonly message: string;
  /** The directive name the broken line seems to set, so dependent checks can be skipped. */
  readonly directive: string | undefined;
  /** The line was a section header that could not be read: the lines under it belong to no known section. */
  readonly sectionHeader?: true;
}

export interface LexResult {
  readonly tokens: IniToken[];
  readonly errors: LexError[];
}

export type EnvLookup = (name: string) => string | undefined;

const TRUE_WORDS = new Set(['true', 'on', 'yes']);
const FALSE_WORDS = new Set(['false', 'off', 'no', 'none', 'null']);

class LineError extends Error {
  constructor(
    message: string,
    readonly sectionHeader = false,
  ) {
    super(message);
  }
}

/** Tokenize one file's text. Never throws: syntax errors are returned with their line. */
export function lexIni(text: string, file: string, env: EnvLookup): LexResult {
  const tokens: IniToken[] = [];
  const errors: LexError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((physical, index) => {
    // PHP's scanner also ends a line at '\r', so CRLF and a stray CR both split documents
    // while keeping the physical line number.
    for (const part of physical.split('\r')) {
      try {
        const tok = lexLine(part, file, index + 1, env);
        if (tok) tokens.push(tok);
      } catch (err) {
        if (!(err instanceof LineError)) throw err;
        const at = { file, line: index + 1, message: err.message, directive: guessDirective(part) };
        errors.push(err.sectionHeader ? { ...at, sectionHeader: true } : at);
      }
    }
  });
  return { tokens, errors };
}

function guessDirective(text: string): string | undefined {
  const eq = text.indexOf('=');
  const name = (eq < 0 ? '' : text.slice(0, eq)).replace(/\[.*$/, '').trim();
  return name === '' || name.startsWith('[') ? undefined : name;
}

function lexLine(raw: string, file: string, line: number, env: EnvLookup): IniToken | undefined {
  const text = raw.trim();
  if (text === '' || text.startsWith(';')) return undefined;
  if (text.startsWith('[')) return lexSection(text, file, line);
  const eq = text.indexOf('=');
  const semi = text.indexOf(';');
  if (eq < 0 || (semi >= 0 && semi < eq)) {
    const nameOnly = (semi >= 0 ? text.slice(0, semi) : text).trim();
    const { name, key } = splitKey(nameOnly);
    return { kind: 'entry', name, key, value: undefined, file, line };
  }
  const left = text.slice(0, eq).trim();
  if (left === '') throw new LineError("syntax error, unexpected '=' (a directive name is missing before '=')");
  const { name, key } = splitKey(left);
  const value = decodeValue(text.slice(eq + 1), env);
  return { kind: 'entry', name, key, value, file, line };
}

function lexSection(text: string, file: string, line: number): IniToken {
  const close = text.indexOf(']');
  if (close < 0) throw new LineError(`syntax error, section header '${text}' has no closing ']'`, true);
  const name = text.slice(1, close).trim();
  if (name === '') throw new LineError("syntax error, empty section name '[]'", true);
  const rest = text.slice(close + 1).trim();
  // `[www] ; comment` is a section header in PHP (ini quirk 1: the `ini` package gets this wrong).
  if (rest !== '' && !rest.startsWith(';')) {
    throw new LineError(`syntax error, unexpected '${rest}' after section header '[${name}]'`, true);
  }
  return { kind: 'section', name, file, line };
}

function splitKey(left: string): { name: string; key: string | undefined } {
  const open = left.indexOf('[');
  if (open < 0) {
    if (left.includes(']')) throw new LineError(`syntax error, unexpected ']' in '${left}'`);
    return { name: left, key: undefined };
  }
  const close = left.indexOf(']', open);
  if (close < 0 || close !== left.length - 1) {
    throw new LineError(`syntax error, malformed array entry '${left}' (expected 'name[key]' or 'name[]')`);
  }
  const name = left.slice(0, open).trim();
  if (name === '') throw new LineError(`syntax error, array entry '${left}' has no name`);
  return { name, key: unquote(left.slice(open + 1, close).trim()) };
}

function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1);
  return s;
}

/**
 * Decode the text after '=': a concatenation of unquoted runs, "double-quoted" strings (\" \\ \$ escapes,
 * ${VAR} expansion) and 'single-quoted' raw strings, ended by ';' outside quotes. '#' is literal.
 */
export function decodeValue(input: string, env: EnvLookup): string {
  let out = '';
  let i = 0;
  let onlyPlainRun = true; // true while the value is one unquoted run without ${…}
  let pendingSpace = '';
  const src = input.replace(/^[ \t]+/, '');
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === ';') break;
    if (c === ' ' || c === '\t') {
      pendingSpace += c; // kept only if something follows: unquoted values are trimmed
      i++;
      continue;
    }
    out += pendingSpace;
    pendingSpace = '';
    if (c === '"') {
      onlyPlainRun = false;
      const end = readDoubleQuoted(src, i + 1, env);
      out += end.text;
      i = end.next;
    } else if (c === "'" && (i === 0 || /[ \t]/.test(src[i - 1] ?? ''))) {
      onlyPlainRun = false;
      const close = src.indexOf("'", i + 1);
      if (close < 0) throw new LineError(`syntax error, unterminated single-quoted string ${src.slice(i)}`);
      out += src.slice(i + 1, close);
      i = close + 1;
    } else if (c === '$' && src[i + 1] === '{') {
      onlyPlainRun = false;
      const exp = expandVar(src, i, env);
      out += exp.text;
      i = exp.next;
    } else {
      out += c;
      i++;
    }
  }
  if (onlyPlainRun) {
    const word = out.toLowerCase();
    if (TRUE_WORDS.has(word)) return '1';
    if (FALSE_WORDS.has(word)) return '';
  }
  return out;
}

function readDoubleQuoted(src: string, start: number, env: EnvLookup): { text: string; next: number } {
  let text = '';
  let i = start;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === '"') return { text, next: i + 1 };
    if (c === '\\') {
      const n = src[i + 1];
      // PHP's zend_ini_escape_string: only \" \\ \$ are escapes; any other backslash stays verbatim
      // (so "C:\logs\slow.log" keeps its backslashes).
      if (n === '"' || n === '\\' || n === '$') {
        text += n;
        i += 2;
        continue;
      }
      text += c;
      i++;
      continue;
    }
    if (c === '$' && src[i + 1] === '{') {
      const exp = expandVar(src, i, env);
      text += exp.text;
      i = exp.next;
      continue;
    }
    text += c;
    i++;
  }
  throw new LineError(`syntax error, unterminated double-quoted string "${src.slice(start)}`);
}

/** `${NAME}` (missing = empty) and `${NAME:-default}` (PHP 8.3 fallback syntax). */
function expandVar(src: string, start: number, env: EnvLookup): { text: string; next: number } {
  const close = src.indexOf('}', start + 2);
  if (close < 0) throw new LineError(`syntax error, unterminated '\${' in '${src.slice(start)}'`);
  const body = src.slice(start + 2, close);
  const sep = body.indexOf(':-');
  const name = sep < 0 ? body : body.slice(0, sep);
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
    throw new LineError(`syntax error, invalid variable name '\${${body}}'`);
  }
  const value = env(name);
  const fallback = sep < 0 ? '' : body.slice(sep + 2);
  return { text: value === undefined || (sep >= 0 && value === '') ? fallback : value, next: close + 1 };
}
