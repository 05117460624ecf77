// Where a script failed to load. V8 gives an ES module's SyntaxError no file, line or column (only
// Node-internal frames), Node's "Cannot find module" no line, and tsx's TransformError no code
// line. esbuild (tsx's own transformer, so no second copy is installed) parses the script and the local files it imports (nothing
// runs) and reports the first problem with its place: the log then shows `file:line:column`, the
// offending line and a caret under the column. Errors that already carry their place pass through.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BuildFailure, Message, build } from 'esbuild';

export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly lineText: string;
  readonly text: string;
}

/** Loaded only when a script fails to load: a healthy child never pays for esbuild's module. */
async function loadEsbuild(): Promise<{ build: typeof build }> {
  return import('esbuild');
}

function locationOf(message: Message | undefined, baseDir: string): SourceLocation | undefined {
  const at = message?.location;
  if (message === undefined || at === null || at === undefined) return undefined;
  return {
    file: resolve(baseDir, at.file),
    line: at.line,
    column: at.column + 1,
    lineText: at.lineText,
    text: message.text,
  };
}

/** The first error esbuild finds in the script or a local module it imports, or undefined. */
export async function locateLoadProblem(scriptPath: string): Promise<SourceLocation | undefined> {
  const baseDir = dirname(scriptPath);
  try {
    await (
      await loadEsbuild()
    ).build({
      entryPoints: [scriptPath],
      absWorkingDir: baseDir,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
    return undefined;
  } catch (err) {
    // esbuild rejects with a BuildFailure whose errors carry the places.
    return locationOf((err as Partial<BuildFailure>).errors?.[0], baseDir);
  }
}

/** `at file:line:column: text`, then the line itself and a caret under the column (indented). */
export function formatLocation(at: SourceLocation): string {
  const number = String(at.line);
  const gutter = ' '.repeat(number.length);
  const caret = `${' '.repeat(Math.max(0, at.column - 1))}^`;
  return [
    `    at ${at.file}:${at.line}:${at.column}: ${at.text}`,
    `    ${number} | ${at.lineText.replace(/\t/g, ' ')}`,
    `    ${gutter} | ${caret}`,
  ].join('\n');
}

/** The line of `file` that names `specifier` in quotes (for a missing package). */
export function findSpecifier(file: string, specifier: string): SourceLocation | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    for (const quote of ["'", '"', '`']) {
      const column = line.indexOf(`${quote}${specifier}`);
      if (column >= 0)
        return { file, line: index + 1, column: column + 1, lineText: line, text: `'${specifier}' is imported here` };
    }
  }
  return undefined;
}

/** The error's own stack carries a place outside Node's internals (a script frame or `file:///…:N`). */
function hasOwnPlace(err: Error): boolean {
  const stack = err.stack ?? '';
  return (
    /^file:\/\/\/[^\n]*:\d+\n/.test(stack) ||
    /\n\s+at (?:[^\n(]*\()?(?:file:\/\/)?\/(?![^\n]*node_modules)[^\n]*:\d+:\d+/.test(stack)
  );
}

/** An error like `err` whose stack is its first line plus `where` (Node-internal frames dropped). */
function located(err: Error, where: string): Error {
  const copy = new Error(err.message, { cause: err });
  copy.name = err.name;
  copy.stack = `${err.name}: ${err.message.split('\n')[0] ?? ''}\n${where}`;
  return copy;
}

function isSyntaxLike(err: Error): boolean {
  return err.name === 'SyntaxError' || err.name === 'TransformError';
}

/**
 * The error with its place in the source, when it is a load error without one: a SyntaxError or a
 * TransformError (tsx), or a module that cannot be found. Other errors are returned as they are.
 */
export async function explainLoadError(err: unknown, scriptPath: string): Promise<unknown> {
  if (!(err instanceof Error)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_MODULE_NOT_FOUND') {
    const pkg = /^Cannot find package '([^']+)' imported from (.+)$/.exec(err.message);
    const at = pkg?.[1] !== undefined && pkg[2] !== undefined ? findSpecifier(pkg[2], pkg[1]) : undefined;
    const where = at ?? (await locateLoadProblem(scriptPath).catch(() => undefined));
    return where === undefined ? err : located(err, formatLocation(where));
  }
  if (!isSyntaxLike(err) || (err.name === 'SyntaxError' && hasOwnPlace(err))) return err;
  const where = await locateLoadProblem(scriptPath).catch(() => undefined);
  return where === undefined ? err : located(err, formatLocation(where));
}
