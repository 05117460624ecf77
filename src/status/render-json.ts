// `?json`: one line, php-fpm's keys (with spaces), numbers unquoted, times as epoch seconds. Strings
// go through JSON.stringify, so any pool name, URI or script path yields valid JSON (php-fpm inserts
// all but the query string raw).
import { formatNumber, POOL_FIELDS, PROCESS_FIELDS, type Field } from './fields.js';
import type { PoolSnapshot } from './snapshot.js';

function members<T>(fields: readonly Field<T>[], item: T): string {
  return fields
    .map((f) => {
      const value = f.get(item);
      return `${JSON.stringify(f.json)}:${typeof value === 'string' ? JSON.stringify(value) : formatNumber(f.kind, value)}`;
    })
    .join(',');
}

export function renderJson(s: PoolSnapshot, full: boolean): string {
  const head = `{${members(POOL_FIELDS, s)}`;
  if (!full) return `${head}}`;
  // php-fpm writes `, "processes":[` with that one space; kept for byte-level parity.
  return `${head}, "processes":[${s.processes.map((p) => `{${members(PROCESS_FIELDS, p)}}`).join(',')}]}`;
}
