// Reads the main file and everything it includes, streaming tokens in php-fpm's order
// (sapi/fpm/fpm/fpm_conf.c fpm_conf_ini_parser_include()): the include is expanded where it appears, matches load alphabetically,
// directories are skipped, and the section state simply carries on because the visitor sees one stream.
// Patterns are relative to the global prefix, not to the including file (fpm_evaluate_full_path).
import { readFileSync, realpathSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { globSync } from './glob.js';
import { lexIni, type EnvLookup, type IniToken, type LexError } from './ini-lexer.js';
import type { Located, MessageSink } from './messages.js';

/** php-fpm: `if (ini_recursion++ > 4)`, i.e. the main file plus four nested levels. */
export const MAX_INCLUDE_DEPTH = 5;

export interface WalkContext {
  readonly prefix: string;
  readonly env: EnvLookup;
  readonly sink: MessageSink;
  /** Called for every non-include token; returns false when the token produced an error. */
  readonly visit: (token: IniToken) => boolean;
  /** Told about a directive whose line could not be tokenized (so checks depending on it are skipped). */
  readonly markBroken: (directive: string) => void;
  /** Told about a section header that could not be read: the lines under it are skipped (no cascade). */
  readonly skipSection: () => void;
}

/** Walk the main file. Returns false when it (or anything it includes) could not be loaded cleanly. */
export function walkConfig(mainFile: string, ctx: WalkContext): boolean {
  return walkFile(mainFile, ctx, []);
}

function walkFile(file: string, ctx: WalkContext, stack: readonly string[]): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    ctx.sink.add(
      'error',
      `failed to open configuration file '${file}': ${describeErrno(err)}`,
      undefined,
      'TSFPM_ERR_CONF_OPEN',
    );
    return false;
  }
  if (stack.length >= MAX_INCLUDE_DEPTH) {
    ctx.sink.add('error', 'failed to include more than 5 files recursively', undefined, 'TSFPM_ERR_CONF_INCLUDE');
    return false;
  }
  const here = [...stack, realPath(file)];
  const { tokens, errors } = lexIni(text, file, ctx.env);
  let clean = true;
  // Lex errors and tokens are merged back into line order so messages come out in file:line order.
  const lexErrors = [...errors];
  for (const token of tokens) {
    while (lexErrors.length > 0 && (lexErrors[0]?.line ?? 0) <= token.line) {
      const e = lexErrors.shift();
      if (e) reportLexError(e, ctx);
      clean = false;
    }
    if (token.kind === 'entry' && token.name === 'include' && token.key === undefined) {
      if (token.value === undefined) {
        ctx.sink.atLine(
          token,
          'value is NULL for a ZEND_INI_PARSER_ENTRY (include needs a pattern: include = PATTERN)',
          'TSFPM_ERR_CONF_SYNTAX',
        );
        clean = false;
      } else if (!expandInclude(token.value, token, ctx, here)) {
        clean = false;
      }
      continue;
    }
    if (!ctx.visit(token)) clean = false;
  }
  for (const e of lexErrors) {
    reportLexError(e, ctx);
    clean = false;
  }
  return clean;
}

function reportLexError(e: LexError, ctx: WalkContext): void {
  ctx.sink.atLine(e, e.message, 'TSFPM_ERR_CONF_SYNTAX');
  if (e.sectionHeader === true) ctx.skipSection();
  else if (e.directive !== undefined) ctx.markBroken(e.directive);
}

function expandInclude(pattern: string, at: Located, ctx: WalkContext, stack: readonly string[]): boolean {
  const abs = isAbsolute(pattern) ? pattern : resolve(ctx.prefix, pattern);
  const result = globSync(abs);
  if (!result.ok) {
    // GLOB_ABORTED = 2 in glob(3); php-fpm prints the raw return code.
    ctx.sink.add(
      'error',
      `Unable to globalize '${abs}' (ret=2) from ${at.file} at line ${at.line}. (${result.error})`,
      at,
      'TSFPM_ERR_CONF_INCLUDE',
    );
    return false;
  }
  if (result.matches.length === 0) {
    ctx.sink.add('warning', `Nothing matches the include pattern '${abs}' from ${at.file} at line ${at.line}.`, at);
    return true;
  }
  let clean = true;
  for (const match of result.matches) {
    if (match.endsWith('/')) continue; // php-fpm: "don't parse directories"
    const real = realPath(match);
    const cycleAt = stack.indexOf(real);
    if (cycleAt >= 0) {
      const chain = [...stack.slice(cycleAt), real].join(' -> ');
      ctx.sink.add(
        'error',
        `[${at.file}:${at.line}] include cycle: '${match}' is already being read (${chain})`,
        at,
        'TSFPM_ERR_CONF_INCLUDE',
      );
      clean = false;
      continue;
    }
    if (!walkFile(match, ctx, stack)) {
      ctx.sink.add(
        'error',
        `Unable to include ${match} from ${at.file} at line ${at.line}`,
        at,
        'TSFPM_ERR_CONF_INCLUDE',
      );
      clean = false;
    }
  }
  return clean;
}

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p); // unreadable files are reported by the caller when it opens them
  }
}

/** `No such file or directory (2)`: php-fpm's zlog SYSERROR suffix. */
export function describeErrno(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? 'EIO';
  const text: Readonly<Record<string, string>> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory',
    ELOOP: 'Too many levels of symbolic links',
  };
  const errno = (osConstants.errno as Readonly<Record<string, number>>)[code] ?? 0;
  return `${text[code] ?? e.message} (${errno})`;
}
