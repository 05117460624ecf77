// The plain-text status page (php-fpm's default): `label:` padded to 22 characters, then the value.
// With `full`, a child's other running requests follow its own lines, each as the request fields
// with a `+ ` before the label.
import { formatNumber, POOL_FIELDS, PROCESS_FIELDS, REQUEST_FIELDS, type Field } from './fields.js';
import type { PoolSnapshot } from './snapshot.js';
import { formatStatusTime } from './status-time.js';

function textValue<T>(f: Field<T>, item: T): string {
  const value = f.get(item);
  if (typeof value === 'string') return value;
  return f.kind === 'time' ? formatStatusTime(value) : formatNumber(f.kind, value);
}

function lines<T>(fields: readonly Field<T>[], item: T, prefix = ''): string {
  let out = '';
  for (const f of fields) out += `${`${prefix}${f.text}:`.padEnd(22)}${textValue(f, item)}\n`;
  return out;
}

export function renderText(s: PoolSnapshot, full: boolean): string {
  let out = lines(POOL_FIELDS, s);
  if (!full) return out;
  for (const p of s.processes) {
    out += `\n${'*'.repeat(24)}\n${lines(PROCESS_FIELDS, p)}`;
    for (const other of p.otherRequests) out += lines(REQUEST_FIELDS, other, '+ ');
  }
  return out;
}
