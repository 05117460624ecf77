// The command line, with php-fpm's flags (sapi/fpm/fpm/fpm_main.c), parsed by commander.
import { Command, CommanderError } from 'commander';
import { DEFAULT_CONFIG_FILE } from './config-path.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { packageVersion } from './version.js';

export interface CliOptions {
  readonly fpmConfig: string | undefined;
  readonly prefix: string | undefined;
  readonly pid: string | undefined;
  /** 0 = run, 1 = -t, 2 = -tt. */
  readonly test: number;
  readonly daemonize: boolean;
  readonly nodaemonize: boolean;
  readonly forceStderr: boolean;
  readonly allowToRunAsRoot: boolean;
  /** --dump-config: print the effective configuration as an INI file and exit. */
  readonly dumpConfig: boolean;
}

export const USAGE =
  'Usage: tsfpm [-h] [-v] [-t] [-p <prefix>] [-g <pid>] [-y <file>] [-D] [-F [-O]] [-R] [--dump-config]';

/** Operator subcommands: `tsfpm request …`, `tsfpm status …` (each parses its own options). */
export const SUBCOMMANDS = ['request', 'status'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export type ParseOutcome =
  | { readonly kind: 'run'; readonly options: CliOptions }
  | { readonly kind: 'command'; readonly name: Subcommand; readonly argv: readonly string[] }
  | { readonly kind: 'exit'; readonly code: number; readonly output: string };

const isSubcommand = (word: string | undefined): word is Subcommand =>
  (SUBCOMMANDS as readonly (string | undefined)[]).includes(word);

const count = (_value: string | undefined, previous: number): number => previous + 1;

export function parseCommandLine(argv: readonly string[]): ParseOutcome {
  // Only as the first word: the php-fpm flags keep their meaning and any other word stays a usage error.
  const first = argv[0];
  if (isSubcommand(first)) return { kind: 'command', name: first, argv: argv.slice(1) };
  let output = '';
  const program = new Command('tsfpm')
    .usage('[options]')
    .description('FastCGI process manager for Node.js (PHP-FPM compatible)')
    .option(
      '-y, --fpm-config <file>',
      `specify alternative path to the FastCGI process manager config file (default: ${DEFAULT_CONFIG_FILE}, or PREFIX/etc/tsfpm.conf with -p)`,
    )
    .option('-p, --prefix <dir>', 'specify alternative prefix path (the default is the config file directory)')
    .option('-g, --pid <file>', 'specify the PID file location')
    .option('-t, --test', 'test the FPM configuration and exit; twice (-tt) also dump it', count, 0)
    // Flags without a default value: commander would print "(default: false)" after php-fpm's text.
    .option('-D, --daemonize', 'force to run in background, and ignore daemonize option from config file')
    .option('-F, --nodaemonize', 'force to stay in foreground, and ignore daemonize option from config file')
    .option('-O, --force-stderr', 'force output to stderr in nodaemonize even if stderr is not a TTY')
    .option('-R, --allow-to-run-as-root', 'allow pool to run as root (disabled by default)')
    .option(
      '--dump-config',
      'print the effective configuration (includes merged, defaults filled in) as an INI file and exit',
    )
    .option('-e, --profile-info', 'accepted for php-fpm compatibility; has no effect')
    .version(`tsfpm ${packageVersion()} (fpm-fcgi) (node ${process.version})`, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'this help')
    .allowExcessArguments(false)
    .addHelpText(
      'after',
      '\nCommands for operators:\n' +
        '  tsfpm request [options] SCRIPT   send one FastCGI request, print the response (exit 0 on 2xx)\n' +
        "  tsfpm status [options]           print a pool's status page read over FastCGI\n" +
        "Run 'tsfpm request --help' or 'tsfpm status --help' for their options.",
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        output += text;
      },
      writeErr: (text) => {
        output += text;
      },
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const helpOrVersion = err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
      if (helpOrVersion) return { kind: 'exit', code: EXIT_OK, output };
      return { kind: 'exit', code: EXIT_USAGE, output: `${output}${USAGE}\n` };
    }
    throw err;
  }
  const o = program.opts<{
    fpmConfig?: string;
    prefix?: string;
    pid?: string;
    test: number;
    daemonize?: boolean;
    nodaemonize?: boolean;
    forceStderr?: boolean;
    allowToRunAsRoot?: boolean;
    dumpConfig?: boolean;
  }>();
  return {
    kind: 'run',
    options: {
      fpmConfig: o.fpmConfig,
      prefix: o.prefix,
      pid: o.pid,
      test: o.test,
      daemonize: o.daemonize ?? false,
      nodaemonize: o.nodaemonize ?? false,
      forceStderr: o.forceStderr ?? false,
      allowToRunAsRoot: o.allowToRunAsRoot ?? false,
      dumpConfig: o.dumpConfig ?? false,
    },
  };
}
