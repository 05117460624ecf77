// `-tt`: the effective configuration as php-fpm's fpm_conf_dump() (sapi/fpm/fpm/fpm_conf.c) prints it: `[global]`,
// one `\tname = value` line per directive in THE table's order, a ' ' separator, then each pool
// followed by its own ' '. Times print as `%ds`, booleans as yes/no, unset strings as `undefined`.
// This is php-fpm's shape, not an INI file: --dump-config writes one with the `ini` package (dump-ini.ts).
import { getPath } from './build.js';
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

export function dumpConfig(config: FpmConfig): string[] {
  const out = ['[global]', ...scalars('global', config.global as unknown as Section), ' '];
  for (const pool of config.pools) {
    out.push(`[${pool.name}]`);
    const lines = scalars('pool', pool as unknown as Section);
    // php-fpm prints access.suppress_path[] right after access.format.
    const at = lines.findIndex((l) => l.startsWith('\taccess.format = '));
    lines.splice(at + 1, 0, ...pool.accessSuppressPaths.map((p) => `\taccess.suppress_path[] = ${p}`));
    out.push(...lines);
    for (const [k, v] of Object.entries(pool.env)) out.push(`\tenv[${k}] = ${v}`);
    for (const [k, v] of Object.entries(pool.phpValues)) out.push(`\tphp_value[${k}] = ${v}`);
    for (const [k, v] of Object.entries(pool.phpAdminValues)) out.push(`\tphp_admin_value[${k}] = ${v}`);
    out.push(' ');
  }
  return out;
}
