// Which configuration file tsfpm reads when -y is not given, and the hint printed when it is missing.
// One path everywhere (this default, the README's install steps, conf/systemd/tsfpm.service, the
// Dockerfile): /etc/tsfpm/tsfpm.conf with the pools in /etc/tsfpm/tsfpm.d/, the layout of conf/
// (tsfpm.conf + tsfpm.d/) in a directory of its own, as Debian lays out php-fpm's (/etc/php/8.2/fpm/).
import { resolve } from 'node:path';
import type { ConfigMessage } from '../config/messages.js';

export const DEFAULT_CONFIG_FILE = '/etc/tsfpm/tsfpm.conf';

/** -y FILE, else PREFIX/etc/tsfpm.conf with -p (as php-fpm), else /etc/tsfpm/tsfpm.conf. */
export function configFileFor(options: {
  readonly fpmConfig?: string | undefined;
  readonly prefix?: string | undefined;
}): string {
  if (options.fpmConfig !== undefined) return options.fpmConfig;
  return options.prefix !== undefined ? resolve(options.prefix, 'etc/tsfpm.conf') : DEFAULT_CONFIG_FILE;
}

/**
 * A newcomer who runs `tsfpm` with no -y and no /etc/tsfpm/tsfpm.conf gets "failed to open configuration
 * file": say which file was looked for by default and how to name another.
 */
export function missingConfigHint(
  options: { readonly fpmConfig?: string | undefined },
  configFile: string,
  messages: readonly ConfigMessage[],
): string | undefined {
  if (options.fpmConfig !== undefined) return undefined;
  const unread = messages.some(
    (m) => m.code === 'TSFPM_ERR_CONF_OPEN' && m.message.includes(`'${resolve(configFile)}'`),
  );
  if (!unread) return undefined;
  return `no -y (--fpm-config) given, so tsfpm read its default '${resolve(configFile)}': name your configuration file with -y FILE (conf/tsfpm.conf in the package is a sample)`;
}
