// What the operator subcommands (`tsfpm request`, `tsfpm status`) share: commander set up like the
// main command line (no process.exit inside commander, usage errors exit 64), and output writes
// that resolve once the bytes are handed over, so main.ts can exit without truncating a piped body.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';

export interface CommandIo {
  readonly out: (data: string | Uint8Array) => Promise<void>;
  readonly err: (text: string) => Promise<void>;
}

export const processIo: CommandIo = {
  out: (data) => new Promise((resolve) => process.stdout.write(data, () => resolve())),
  err: (text) => new Promise((resolve) => process.stderr.write(text, () => resolve())),
};

/** A subcommand's parser: commander errors become a result instead of an exit. */
export function subcommand(name: string, description: string): Command {
  return new Command(`tsfpm ${name}`).description(description).exitOverride().allowExcessArguments(false);
}

export type Parsed<T> = { readonly kind: 'ok'; readonly value: T } | { readonly kind: 'exit'; readonly code: number };

/** Parses argv; help/usage text goes to the right stream; usage errors exit 64 (php-fpm's EX_USAGE). */
export async function parseSubcommand<T>(
  program: Command,
  argv: readonly string[],
  io: CommandIo,
  read: (program: Command) => T,
): Promise<Parsed<T>> {
  let out = '';
  let err = '';
  program.configureOutput({
    writeOut: (text) => {
      out += text;
    },
    writeErr: (text) => {
      err += text;
    },
  });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (out !== '') await io.out(out);
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
      return { kind: 'exit', code: EXIT_OK };
    await io.err(`${err}${program.helpInformation()}`);
    return { kind: 'exit', code: EXIT_USAGE };
  }
  return { kind: 'ok', value: read(program) };
}

export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function positiveMs(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected milliseconds > 0');
  return n;
}
