// The tsfpm command: the only place that calls process.exit.
import { resolve } from 'node:path';
import type { FpmConfig } from '../config/types.js';
import { loadConfig, type LoadOptions } from '../config/load.js';
import { describeError } from '../errors.js';
import { ErrorLog, type ErrorLogTarget } from '../log/error-log.js';
import { formatLogLine } from '../log/line-format.js';
import { Master } from '../master/master.js';
import { configFileFor, missingConfigHint } from './config-path.js';
import { isDaemonChild, launchDaemon, reportToLauncher } from './daemonize.js';
import { EXIT_CONFIG, EXIT_SOFTWARE } from './exit-codes.js';
import { parseCommandLine, type CliOptions } from './options.js';

// The subcommands and -t / --dump-config are imported when asked for: the daemon, which lives for
// months, does not keep their modules (the client, the INI writer) in memory.

function fail(lines: readonly string[], code: number): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(code);
}

function logTarget(config: FpmConfig, options: CliOptions, daemon: boolean): ErrorLogTarget {
  // php-fpm: error_log when daemonized, or when stderr is not a TTY and -O is absent; else stderr.
  if (!daemon && (options.forceStderr || process.stderr.isTTY)) return { kind: 'stderr' };
  if (config.global.errorLog === 'syslog') return { kind: 'stderr' };
  return { kind: 'file', path: config.global.errorLog };
}

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'exit') {
    process.stdout.write(parsed.output);
    process.exit(parsed.code);
  }
  if (parsed.kind === 'command') {
    const { processIo } = await import('./subcommand-io.js');
    const run =
      parsed.name === 'request'
        ? (await import('./request-command.js')).runRequestCommand
        : (await import('./status-command.js')).runStatusCommand;
    process.exit(await run(parsed.argv, processIo));
  }
  const options = parsed.options;
  const loadOptions: LoadOptions = {
    configFile: configFileFor(options),
    prefix: options.prefix,
    pidFlag: options.pid,
    allowRoot: options.allowToRunAsRoot,
  };
  if (options.dumpConfig) {
    const { processIo } = await import('./subcommand-io.js');
    const { runDumpConfig } = await import('./dump-config.js');
    process.exit(await runDumpConfig(loadOptions, processIo));
  }
  if (options.test > 0) {
    const { runConfigTest } = await import('./config-test.js');
    const write = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    process.exit(runConfigTest({ ...loadOptions, dump: options.test > 1 }, write, options));
  }

  const loaded = loadConfig(loadOptions);
  if (!loaded.ok) {
    const lines = loaded.messages.map((m) => formatLogLine(m.level, m.message));
    if (loaded.failure === 'load') {
      lines.push(formatLogLine('error', `failed to load configuration file '${resolve(loadOptions.configFile)}'`));
    }
    lines.push(formatLogLine('error', 'FPM initialization failed'));
    const hint = missingConfigHint(options, loadOptions.configFile, loaded.messages);
    if (hint !== undefined) lines.push(formatLogLine('notice', hint));
    await reportToLauncher({ type: 'daemon-failed', lines });
    fail(lines, EXIT_CONFIG);
  }
  const config = loaded.config;
  const daemon = isDaemonChild();
  const wantsDaemon = options.nodaemonize ? false : options.daemonize || config.global.daemonize;
  if (wantsDaemon && !daemon) process.exit(await launchDaemon(argv));

  const log = new ErrorLog({
    level: config.global.logLevel,
    limit: config.global.logLimit,
    format: config.global.logFormat,
    target: logTarget(config, options, daemon),
  });
  log.echoToStderr = !daemon;
  for (const message of loaded.messages) log.log(message.level, message.message);

  const master = new Master(config, {
    log,
    reloadConfig: () => {
      const again = loadConfig(loadOptions);
      for (const message of again.messages) log.log(message.level, message.message);
      return again.ok ? again.config : undefined;
    },
    onExit: (code) => process.exit(code),
  });

  // Handlers only post an intent; the master's state machine decides (php-fpm's signal pipe).
  process.on('SIGTERM', () => master.request('terminate'));
  process.on('SIGINT', () => master.request('terminate'));
  process.on('SIGQUIT', () => master.request('finish'));
  process.on('SIGUSR2', () => master.request('reload'));
  process.on('SIGUSR1', () => master.reopenLogs());
  process.on('SIGHUP', () => log.notice('SIGHUP ignored (use SIGUSR2 to reload)'));
  // The master must not die from a fault: log it and keep serving.
  process.on('uncaughtException', (err) => log.alert(`uncaught exception in the master: ${describeError(err)}`));
  process.on('unhandledRejection', (reason) =>
    log.alert(`unhandled rejection in the master: ${describeError(reason)}`),
  );

  try {
    await master.start();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log.error(reason);
    log.error('FPM initialization failed');
    log.flush();
    await reportToLauncher({
      type: 'daemon-failed',
      lines: [formatLogLine('error', reason), formatLogLine('error', 'FPM initialization failed')],
    });
    process.exit(EXIT_CONFIG);
  }
  log.echoToStderr = false;
  await reportToLauncher({ type: 'daemon-ready' });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${formatLogLine('alert', `tsfpm failed: ${describeError(err)}`)}\n`);
  process.exit(EXIT_SOFTWARE);
});
