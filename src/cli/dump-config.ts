// `tsfpm --dump-config`: load the configuration as the daemon would, print it as an INI file on stdout.
// Messages go to stderr in the log-line shape `-t` uses; the exit status is returned, not taken.
import { resolve } from 'node:path';
import { dumpIni } from '../config/dump-ini.js';
import { loadConfig, type LoadOptions } from '../config/load.js';
import { formatLogLine } from '../log/line-format.js';
import { EXIT_CONFIG, EXIT_OK } from './exit-codes.js';
import type { CommandIo } from './subcommand-io.js';

export async function runDumpConfig(opts: LoadOptions, io: CommandIo): Promise<number> {
  const mainFile = resolve(opts.configFile);
  const loaded = loadConfig(opts);
  const log = (level: Parameters<typeof formatLogLine>[0], text: string): Promise<void> =>
    io.err(`${formatLogLine(level, text)}\n`);
  for (const m of loaded.messages) await log(m.level, m.message);
  if (!loaded.ok) {
    if (loaded.failure === 'load') await log('error', `failed to load configuration file '${mainFile}'`);
    else await log('error', 'failed to post process the configuration');
    return EXIT_CONFIG;
  }
  const dumped = dumpIni(loaded.config, [
    `tsfpm --dump-config: the effective configuration of ${mainFile}`,
    'includes merged, defaults filled in, relative paths made absolute',
  ]);
  if (!dumped.ok) {
    for (const p of dumped.problems) await log('error', `cannot dump the configuration: ${p}`);
    return EXIT_CONFIG;
  }
  await io.out(dumped.text);
  return EXIT_OK;
}
