// Turns collected settings into GlobalConfig / PoolConfig objects: table defaults, the relative-path rules
// (fpm_evaluate_full_path: pool paths against the pool prefix, else the global prefix) and env[X] = $VAR.
// The field layout comes from each directive's `key` in THE table, so adding a directive is one line there.
import { isAbsolute, resolve } from 'node:path';
import type { SectionDraft } from './collect.js';
import { DIRECTIVES, type Directive } from './directives.js';
import type { EnvLookup } from './ini-lexer.js';
import type { GlobalConfig, PoolConfig } from './types.js';

type Draft = Record<string, unknown>;

function setPath(target: Draft, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (typeof child === 'object' && child !== null) node = child as Draft;
    else {
      const fresh: Draft = {};
      node[part] = fresh;
      node = fresh;
    }
  }
  node[parts[parts.length - 1] ?? path] = value;
}

export function getPath(source: Readonly<Record<string, unknown>>, path: string): unknown {
  let node: unknown = source;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Readonly<Record<string, unknown>>)[part];
  }
  return node;
}

function fill(scope: 'global' | 'pool', section: SectionDraft): Draft {
  const out: Draft = {};
  for (const d of DIRECTIVES) {
    if (d.scope !== scope || d.kind !== 'scalar' || d.key === undefined) continue;
    const set = section.settings.get(d.name);
    setPath(out, d.key, set ? set.value : d.default);
  }
  return out;
}

const absolute = (base: string, p: unknown): unknown =>
  typeof p === 'string' && p !== '' && !isAbsolute(p) ? resolve(base, p) : p;

/** php-fpm's rule: anything without ':' that is not all digits is a unix socket path. */
export function isUnixListen(address: string): boolean {
  return address !== '' && !address.includes(':') && !/^\d+$/.test(address);
}

export interface GlobalInputs {
  readonly configFile: string;
  readonly prefix: string;
  readonly pidFlag: string | undefined;
}

export function buildGlobal(section: SectionDraft, inputs: GlobalInputs): GlobalConfig {
  const out = fill('global', section);
  out['configFile'] = inputs.configFile;
  out['prefix'] = inputs.prefix;
  out['logLevelSet'] = section.settings.has('log_level');
  // The -g flag is applied first, then a pid line in the file replaces it (php-fpm order).
  if (!section.settings.has('pid') && inputs.pidFlag !== undefined && inputs.pidFlag !== '')
    out['pid'] = inputs.pidFlag;
  for (const d of pathDirectives('global')) {
    const value = getPath(out, d.key ?? '');
    if (d.name === 'error_log' && typeof value === 'string' && value.toLowerCase() === 'syslog') {
      out['errorLog'] = 'syslog';
      continue;
    }
    setPath(out, d.key ?? '', absolute(inputs.prefix, value));
  }
  // Every key comes from the table or the lines above; test/unit/config checks the shape is complete.
  return out as unknown as GlobalConfig;
}

export function buildPool(section: SectionDraft, globalPrefix: string, env: EnvLookup): PoolConfig {
  const out = fill('pool', section);
  out['name'] = section.name;
  const prefix = absolute(globalPrefix, out['prefix']);
  out['prefix'] = prefix;
  const base = typeof prefix === 'string' && prefix !== '' ? prefix : globalPrefix;
  for (const d of pathDirectives('pool')) {
    if (d.name === 'prefix') continue;
    setPath(out, d.key ?? '', absolute(base, getPath(out, d.key ?? '')));
  }
  const listen = out['listen'] as Draft;
  if (typeof listen['address'] === 'string' && isUnixListen(listen['address'])) {
    listen['address'] = absolute(base, listen['address']);
  }
  const records: Record<string, Array<[string, string]>> = { env: [], phpValues: [], phpAdminValues: [] };
  const suppress: string[] = [];
  for (const item of section.arrays) {
    if (item.directive.key === 'accessSuppressPaths') {
      suppress.push(item.value);
      continue;
    }
    // env[X] = $NAME copies the master's variable NAME (missing = empty), as fpm_env does at spawn.
    const value =
      item.directive.name === 'env' && item.value.startsWith('$') ? (env(item.value.slice(1)) ?? '') : item.value;
    records[item.directive.key ?? '']?.push([item.key, value]);
  }
  // Object.fromEntries makes own properties even for keys like '__proto__'.
  out['env'] = Object.fromEntries(records['env'] ?? []);
  out['phpValues'] = Object.fromEntries(records['phpValues'] ?? []);
  out['phpAdminValues'] = Object.fromEntries(records['phpAdminValues'] ?? []);
  out['accessSuppressPaths'] = suppress;
  return out as unknown as PoolConfig;
}

function pathDirectives(scope: 'global' | 'pool'): Directive[] {
  return DIRECTIVES.filter((d) => d.scope === scope && d.path !== undefined && d.key !== undefined);
}
