// `-tt`: the effective configuration as php-fpm's fpm_conf_dump() (sapi/fpm/fpm/fpm_conf.c) prints it: `[global]`,
// one `\tname = value` line per directive in THE table's order, a ' ' separator, then each pool
// followed by its own ' '. Times print as `%ds`, booleans as yes/no, unset strings as `undefined`.
// This is php-fpm's shape, not an INI file: --dump-config writes one with the `ini` package (dump-ini.ts).
// fastcgi.max_connections prints the cap a child will apply, with a comment line saying how it was
// derived from the open-file limit (a tsfpm addition, as the directive is).
import { getPath } from './build.js';
import { childFileLimit, connectionCap, describeCap, readFileLimit } from './connection-cap.js';
import { DIRECTIVES, type Directive } from './directives.js';
import type { FpmConfig } from './types.js';

type Section = Readonly<Record<string, unknown>>;

function line(d: Directive, section: Section): string | undefined {
  if (d.key === undefined) return undefined;
  const value = getPath(section, d.key);
  const text = d.dump ? d.dump(value, section) : d.type.format(value);
  return text === undefined ? undefined : `\t${d.name} = ${text}`;
}

function scalars(scope: 'global' | 'pool', section: Section): string[] {
  const out: string[] = [];
  for (const d of DIRECTIVES) {
    if (d.scope !== scope || d.kind !== 'scalar') continue;
    const l = line(d, section);
    if (l !== undefined) out.push(l);
  }
  return out;
}

/**
 * `openFileLimit`: the soft RLIMIT_NOFILE the master would start with before its own rlimit_files
 * (default: this process's, which the daemon started from the same shell or unit inherits).
 */
export function dumpConfig(config: FpmConfig, openFileLimit = readFileLimit()?.soft): string[] {
  const out = ['[global]', ...scalars('global', config.global as unknown as Section), ' '];
  const masterLimit = childFileLimit(config.global, openFileLimit);
  for (const pool of config.pools) {
    out.push(`[${pool.name}]`);
    const lines = scalars('pool', pool as unknown as Section);
    // php-fpm prints access.suppress_path[] right after access.format.
    const at = lines.findIndex((l) => l.startsWith('\taccess.format = '));
    lines.splice(at + 1, 0, ...pool.accessSuppressPaths.map((p) => `\taccess.suppress_path[] = ${p}`));
    const capAt = lines.findIndex((l) => l.startsWith('\tfastcgi.max_connections = '));
    const cap = connectionCap(childFileLimit(pool, masterLimit), pool);
    lines.splice(capAt, 1, `\tfastcgi.max_connections = ${cap.cap}`, `\t; ${describeCap(cap)}`);
    out.push(...lines);
    for (const [k, v] of Object.entries(pool.env)) out.push(`\tenv[${k}] = ${v}`);
    for (const [k, v] of Object.entries(pool.phpValues)) out.push(`\tphp_value[${k}] = ${v}`);
    for (const [k, v] of Object.entries(pool.phpAdminValues)) out.push(`\tphp_admin_value[${k}] = ${v}`);
    out.push(' ');
  }
  return out;
}
