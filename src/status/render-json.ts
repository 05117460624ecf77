// `?json`: one line, php-fpm's keys (with spaces), numbers unquoted, times as epoch seconds. Strings
// go through JSON.stringify, so any pool name, URI or script path yields valid JSON (php-fpm inserts
// all but the query string raw). Each process carries `"other requests"`: its other running requests
// (the request fields), an empty list when it has none.
import { formatNumber, OTHER_REQUESTS, POOL_FIELDS, PROCESS_FIELDS, REQUEST_FIELDS, type Field } from './fields.js';
import type { PoolSnapshot, ProcessSnapshot } from './snapshot.js';

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
  return `${head}, "processes":[${s.processes.map(processJson).join(',')}]}`;
}

function processJson(p: ProcessSnapshot): string {
  const others = p.otherRequests.map((r) => `{${members(REQUEST_FIELDS, r)}}`).join(',');
  return `{${members(PROCESS_FIELDS, p)},${JSON.stringify(OTHER_REQUESTS.json)}:[${others}]}`;
}
