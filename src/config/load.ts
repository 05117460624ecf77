// Entry point of the configuration subsystem: read (with includes), collect, build, validate, freeze.
// Synchronous and side-effect free apart from reading files; never throws for bad input.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildGlobal, buildPool } from './build.js';
import { Collector } from './collect.js';
import { walkConfig } from './include.js';
import { isError, MessageSink, type ConfigMessage } from './messages.js';
import type { FpmConfig } from './types.js';
import { checkGlobal } from './validate-global.js';
import { checkAcrossPools, checkPool, type PoolUnderCheck } from './validate-pool.js';

export type { ConfigMessage } from './messages.js';

export interface LoadOptions {
  /** As given on the command line (made absolute against cwd). */
  configFile: string;
  /** -p flag; when absent the global prefix is the directory of the main config file. */
  prefix?: string | undefined;
  /** -g flag (a `pid` line in the file overrides it, as php-fpm). */
  pidFlag?: string | undefined;
  /** -R */
  allowRoot?: boolean;
  /** Default: process.getuid?.() === 0 */
  isRoot?: boolean;
  /** -t: the extra checks php-fpm 8.3 does only in test mode (users/groups exist, unix path length). */
  testMode?: boolean;
  /** For ${VAR} expansion and env[X] = $VAR; default process.env. */
  env?: Record<string, string | undefined>;
}

export type LoadResult =
  | { ok: true; config: FpmConfig; messages: ConfigMessage[] }
  | {
      ok: false;
      messages: ConfigMessage[];
      /**
       * tsfpm addition: 'load' when a file could not be read or parsed (php-fpm then prints
       * "failed to load configuration file"), 'post-process' when only the cross-field checks failed.
       */
      failure: 'load' | 'post-process';
    };

const LOAD_CODES = new Set([
  'TSFPM_ERR_CONF_SYNTAX',
  'TSFPM_ERR_CONF_UNKNOWN_ENTRY',
  'TSFPM_ERR_CONF_BAD_VALUE',
  'TSFPM_ERR_CONF_INCLUDE',
  'TSFPM_ERR_CONF_OPEN',
]);

export function loadConfig(opts: LoadOptions): LoadResult {
  const sink = new MessageSink();
  const env = opts.env ?? process.env;
  const lookup = (name: string): string | undefined => env[name];
  const configFile = resolve(opts.configFile);
  let prefix = dirname(configFile);
  if (opts.prefix !== undefined) {
    prefix = resolve(opts.prefix);
    if (!isDirectory(prefix)) {
      sink.add(
        'error',
        `the global prefix '${prefix}' does not exist or is not a directory`,
        undefined,
        'TSFPM_ERR_CONF_OPEN',
      );
      return finish(sink, undefined);
    }
  }
  const collector = new Collector(sink);
  const readAll = walkConfig(configFile, {
    prefix,
    env: lookup,
    sink,
    visit: collector.visit,
    markBroken: collector.markBroken,
    skipSection: collector.skipSection,
  });
  const { global, pools, skippedSection } = collector.result();
  const globalConfig = buildGlobal(global, { configFile, prefix, pidFlag: opts.pidFlag });
  checkGlobal(globalConfig, global, sink);
  const filesMissing = sink.messages.some(
    (m) => m.code === 'TSFPM_ERR_CONF_OPEN' || m.code === 'TSFPM_ERR_CONF_INCLUDE',
  );
  if (pools.length === 0 && !skippedSection && (readAll || !filesMissing)) {
    sink.add(
      'error',
      `No pool defined. at least one pool section must be specified in config file (${configFile})`,
      undefined,
      'TSFPM_ERR_CONF_INVALID',
    );
  }
  const checkOpts = {
    isRoot: opts.isRoot ?? process.getuid?.() === 0,
    allowRoot: opts.allowRoot ?? false,
    testMode: opts.testMode ?? false,
  };
  const checked: PoolUnderCheck[] = pools.map((section) => {
    const config = buildPool(section, prefix, lookup);
    return { section, config: checkPool({ section, config }, checkOpts, sink) };
  });
  checkAcrossPools(checked, checkOpts, sink);
  return finish(sink, { global: globalConfig, pools: checked.map((p) => p.config) });
}

function finish(sink: MessageSink, config: FpmConfig | undefined): LoadResult {
  const errors = sink.messages.filter(isError);
  const others = sink.messages.filter((m) => !isError(m));
  if (errors.length > 0 || config === undefined) {
    const failure = errors.some((m) => m.code !== undefined && LOAD_CODES.has(m.code)) ? 'load' : 'post-process';
    return { ok: false, messages: [...errors, ...others], failure };
  }
  return { ok: true, config: deepFreeze(config), messages: others };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false; // missing or unreadable: reported as "does not exist or is not a directory"
  }
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
