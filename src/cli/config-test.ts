// `tsfpm -t` / `-tt`: load the configuration, print what php-fpm prints, return the exit status.
// No process.exit here (only cli/main.ts exits); the caller passes a writer (stderr in production).
import { dumpConfig } from '../config/dump.js';
import { loadConfig, type LoadOptions } from '../config/load.js';
import { formatLogLine } from '../log/line-format.js';
import { resolve } from 'node:path';
import { missingConfigHint } from './config-path.js';
import { EXIT_CONFIG, EXIT_OK } from './exit-codes.js';

/** `cli` is what the command line said (-y or not), for the hint when the default file is missing. */
export function runConfigTest(
  opts: LoadOptions & { dump: boolean },
  write: (line: string) => void,
  cli: { readonly fpmConfig?: string | undefined } = { fpmConfig: opts.configFile },
): number {
  const result = loadConfig({ ...opts, testMode: opts.testMode ?? true });
  for (const m of result.messages) write(formatLogLine(m.level, m.message));
  const mainFile = resolve(opts.configFile);
  if (!result.ok) {
    if (result.failure === 'load') write(formatLogLine('error', `failed to load configuration file '${mainFile}'`));
    else write(formatLogLine('error', 'failed to post process the configuration'));
    write(formatLogLine('error', 'FPM initialization failed'));
    const hint = missingConfigHint(cli, opts.configFile, result.messages);
    if (hint !== undefined) write(formatLogLine('notice', hint));
    return EXIT_CONFIG;
  }
  // php-fpm prints the dump as NOTICE even when log_level is higher (test config-dump-log-level).
  if (opts.dump) for (const l of dumpConfig(result.config)) write(formatLogLine('notice', l));
  write(formatLogLine('notice', `configuration file ${mainFile} test is successful`));
  return EXIT_OK;
}
