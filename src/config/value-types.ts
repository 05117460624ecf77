// Typed setters for directive values, with php-fpm's error texts (sapi/fpm/fpm/fpm_conf.c fpm_conf_set_*()).
// Each parser takes the value as the lexer produced it (booleans already mapped to '1'/'' like PHP's
// INI scanner does) and returns a typed value or php-fpm's error text plus what we expected.
// The caller frames the text as `[file:line] unable to parse value for entry 'NAME': TEXT (got …, expected …)`.
import { isIP } from 'node:net';
import type { LogLevel, PmStyle } from './types.js';

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T; readonly warnings?: readonly string[] }
  | { readonly ok: false; readonly error: string };

export interface ValueType<T> {
  /** Short name used by the docs table ('int', 'time', …). */
  readonly id: string;
  /** What a valid value looks like, for messages and docs ("an integer >= 0"). */
  readonly expected: string;
  parse(raw: string): ParseResult<T>;
  /** The value as php-fpm's -tt dump prints it. */
  format(value: T): string;
  /** The value as a configuration line writes it (parse() reads it back); undefined: unset, leave the line out. */
  write(value: T): string | undefined;
}

const ok = <T>(value: T, warnings?: readonly string[]): ParseResult<T> =>
  warnings && warnings.length > 0 ? { ok: true, value, warnings } : { ok: true, value };
const fail = <T>(error: string): ParseResult<T> => ({ ok: false, error });

export const str: ValueType<string | undefined> = {
  id: 'string',
  expected: 'a string',
  parse: (raw) => ok(raw),
  format: (v) => (v === undefined || v === '' ? 'undefined' : v),
  write: (v) => v,
};

/** php-fpm's fpm_conf_set_integer: optional '-', digits only; an empty value is atoi('') = 0. */
export function int(range: { min?: number; max?: number } = {}): ValueType<number> {
  const { min, max } = range;
  const bounds =
    min !== undefined && max !== undefined
      ? ` between ${min} and ${max}`
      : min !== undefined
        ? ` >= ${min}`
        : max !== undefined
          ? ` <= ${max}`
          : '';
  return {
    id: 'int',
    expected: `an integer${bounds}`,
    parse(raw) {
      if (!/^-?\d*$/.test(raw)) return fail('is not a valid number (greater or equal than zero)');
      const n = raw === '' || raw === '-' ? 0 : Number.parseInt(raw, 10);
      if (!Number.isSafeInteger(n)) return fail('is not a valid number (greater or equal than zero)');
      if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
        return fail(`is out of range (must be${bounds})`);
      }
      return ok(n);
    },
    format: (v) => String(v),
    write: (v) => String(v),
  };
}

/** Unset integers (rlimit_files, process.priority) dump as php-fpm's sentinel. */
export function optionalInt(unsetText: string): ValueType<number | undefined> {
  const base = int();
  return {
    ...base,
    parse: (raw) => base.parse(raw),
    format: (v) => (v === undefined ? unsetText : String(v)),
    write: (v) => (v === undefined ? undefined : String(v)),
  };
}

const TIME_FACTOR_S: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * php-fpm's fpm_conf_set_time with a stricter body: php-fpm runs atoi() on what precedes the suffix, so
 * '1.5m' silently means 60 s and 'a5' means 0. We reject those (no silent data loss) with its text.
 * Result in milliseconds.
 */
export const time: ValueType<number> = {
  id: 'time',
  expected: 'a whole number with an optional s, m, h or d suffix (e.g. 90s)',
  parse(raw) {
    if (raw === '') return fail('invalid time value');
    const suffix = raw.slice(-1);
    const hasSuffix = !/\d/.test(suffix);
    if (hasSuffix && TIME_FACTOR_S[suffix] === undefined) return fail('unknown suffix used in time value');
    const body = hasSuffix ? raw.slice(0, -1) : raw;
    if (!/^\d+$/.test(body)) return fail('invalid time value');
    const seconds = Number.parseInt(body, 10) * (TIME_FACTOR_S[suffix] ?? 1);
    if (!Number.isSafeInteger(seconds * 1000)) return fail('invalid time value');
    return ok(seconds * 1000);
  },
  format: (ms) => `${Math.floor(ms / 1000)}s`,
  write: (ms) => `${ms / 1000}s`,
};

const SIZE_FACTOR: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** tsfpm addition (php-fpm's own directives have no size type): bytes with k/K, m/M, g/G suffixes. */
export const size: ValueType<number> = {
  id: 'size',
  expected: 'a whole number of bytes with an optional k, M or G suffix (e.g. 1M)',
  parse(raw) {
    const m = /^(\d+)([kKmMgG]?)$/.exec(raw);
    if (!m) return fail('invalid size value');
    const bytes = Number.parseInt(m[1] ?? '', 10) * (SIZE_FACTOR[(m[2] ?? '').toLowerCase()] ?? 1);
    if (!Number.isSafeInteger(bytes)) return fail('invalid size value');
    return ok(bytes);
  },
  format: (v) => String(v),
  write: (v) => String(v),
};

const TRUE_WORDS = new Set(['1', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['', '0', 'no', 'none', 'false', 'off']);

/**
 * Unquoted yes/no words already arrive as '1'/''. The literal words are accepted too since GH-13563
 * (php 8.2.18), because values from ${ENV} and quoted strings are not re-scanned as booleans.
 */
export function parseBool(raw: string): boolean | undefined {
  const v = raw.toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return undefined;
}

export const bool: ValueType<boolean> = {
  id: 'bool',
  expected: 'yes/no (also on/off, true/false, 1/0)',
  parse(raw) {
    const b = parseBool(raw);
    return b === undefined ? fail('invalid boolean value') : ok(b);
  },
  format: (v) => (v ? 'yes' : 'no'),
  write: (v) => (v ? 'yes' : 'no'),
};

/** listen.mode: php-fpm keeps the string and strtoul(…, 8)s it at bind time; we validate it up front. */
export const octalMode: ValueType<number> = {
  id: 'mode',
  expected: 'an octal file mode such as 0660',
  parse(raw) {
    if (!/^[0-7]{1,4}$/.test(raw)) return fail('invalid octal mode');
    return ok(Number.parseInt(raw, 8));
  },
  format: (v) => `0${v.toString(8)}`,
  write: (v) => v.toString(8).padStart(4, '0'),
};

export const rlimitCore: ValueType<number | 'unlimited' | undefined> = {
  id: 'rlimit_core',
  expected: "'unlimited' or an integer >= 0",
  parse(raw) {
    if (raw.toLowerCase() === 'unlimited') return ok('unlimited');
    if (!/^\d+$/.test(raw)) return fail("must be greater than zero or 'unlimited'");
    return ok(Number.parseInt(raw, 10));
  },
  // php-fpm stores unlimited as RLIM_INFINITY and prints it with %d (-1); unset prints 0.
  format: (v) => (v === undefined ? '0' : v === 'unlimited' ? '-1' : String(v)),
  write: (v) => (v === undefined ? undefined : String(v)),
};

export const pmStyle: ValueType<PmStyle | undefined> = {
  id: 'pm',
  expected: 'static, dynamic or ondemand',
  parse(raw) {
    const v = raw.toLowerCase();
    if (v === 'static' || v === 'dynamic' || v === 'ondemand') return ok(v);
    return fail('invalid process manager (static, dynamic or ondemand)');
  },
  format: (v) => v ?? 'undefined',
  write: (v) => v,
};

export const logLevel: ValueType<LogLevel> = {
  id: 'log_level',
  expected: 'alert, error, warning, notice or debug',
  parse(raw) {
    const v = raw.toLowerCase();
    if (v === 'warn') return ok('warning');
    if (v === 'alert' || v === 'error' || v === 'warning' || v === 'notice' || v === 'debug') return ok(v);
    return fail("invalid value for 'log_level'");
  },
  format: (v) => v.toUpperCase(),
  write: (v) => v,
};

/** syslog(3) facility codes (already shifted, as <syslog.h> defines them); -tt prints the number. */
export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 8,
  mail: 16,
  daemon: 24,
  auth: 32,
  syslog: 40,
  lpr: 48,
  news: 56,
  uucp: 64,
  cron: 72,
  authpriv: 80,
  ftp: 88,
  local0: 128,
  local1: 136,
  local2: 144,
  local3: 152,
  local4: 160,
  local5: 168,
  local6: 176,
  local7: 184,
};

export const syslogFacility: ValueType<string> = {
  id: 'syslog.facility',
  expected: `one of ${Object.keys(SYSLOG_FACILITIES).join(', ')}`,
  parse(raw) {
    const v = raw.toLowerCase();
    return SYSLOG_FACILITIES[v] === undefined ? fail('invalid value') : ok(v);
  },
  format: (v) => String(SYSLOG_FACILITIES[v] ?? v),
  write: (v) => v,
};

export function oneOf<T extends string>(values: readonly T[]): ValueType<T> {
  return {
    id: 'enum',
    expected: values.join(', '),
    parse(raw) {
      const v = raw.toLowerCase();
      const hit = values.find((x) => x === v);
      return hit === undefined ? fail(`invalid value (must be one of ${values.join(', ')})`) : ok(hit);
    },
    format: (v) => v,
    write: (v) => v,
  };
}

/**
 * listen.allowed_clients: comma list of IP addresses (no CIDR, as php-fpm). A bad entry is only a warning
 * (php-fpm's fcgi_set_allowed_clients); if none is valid every TCP client is refused (fail closed).
 */
export const addressList: ValueType<readonly string[] | undefined> = {
  id: 'address list',
  expected: 'a comma-separated list of IPv4/IPv6 addresses',
  parse(raw) {
    const warnings: string[] = [];
    const good: string[] = [];
    for (const entry of raw.split(',').map((s) => s.trim())) {
      if (entry === '') continue;
      if (isIP(entry) === 0) warnings.push(`Wrong IP address '${entry}' in listen.allowed_clients`);
      else good.push(entry);
    }
    if (good.length === 0) warnings.push('There are no allowed addresses: every TCP connection will be refused');
    return ok(good, warnings);
  },
  format: (v) => (v === undefined ? 'undefined' : v.join(',')),
  write: (v) => v?.join(','),
};

/** Flags for the children's Node.js: each one Node accepts in NODE_OPTIONS (checked here, not at fork). */
export const nodeFlags: ValueType<readonly string[]> = {
  id: 'node flags',
  expected: "space-separated Node.js options allowed in NODE_OPTIONS (e.g. '--max-old-space-size=512'), or empty",
  parse(raw) {
    const items = raw.split(/[ \t]+/).filter((s) => s !== '');
    const bad = items.find((s) => !s.startsWith('-') || !process.allowedNodeEnvironmentFlags.has(s));
    if (bad !== undefined) return fail(`'${bad}' is not a Node.js option allowed in NODE_OPTIONS`);
    return ok(items);
  },
  format: (v) => (v.length === 0 ? 'undefined' : v.join(' ')),
  write: (v) => v.join(' '),
};

/** security.limit_extensions: space/tab separated suffixes; tsfpm insists on a leading dot. */
export const extensionList: ValueType<readonly string[]> = {
  id: 'extension list',
  expected: "space-separated suffixes starting with a dot (e.g. '.js .mjs'), or empty to allow everything",
  parse(raw) {
    const items = raw.split(/[ \t]+/).filter((s) => s !== '');
    const bad = items.filter((s) => !s.startsWith('.') || s.length < 2);
    if (bad.length > 0) return fail(`extension '${bad[0] ?? ''}' must start with a dot`);
    return ok(items);
  },
  format: (v) => v.join(' '),
  write: (v) => v.join(' '),
};
