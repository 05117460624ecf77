// `?xml`: php-fpm's document, one element per line, tags from the field table, times as epoch. Each
// <process> ends with <other-requests>: a <request> (the request fields) per other running request.
import { escapeMarkup } from './escape.js';
import { formatNumber, OTHER_REQUESTS, POOL_FIELDS, PROCESS_FIELDS, REQUEST_FIELDS, type Field } from './fields.js';
import type { PoolSnapshot, ProcessSnapshot } from './snapshot.js';

function element<T>(f: Field<T>, item: T): string {
  const value = f.get(item);
  const text = typeof value === 'string' ? escapeMarkup(value) : formatNumber(f.kind, value);
  return `<${f.xml}>${text}</${f.xml}>`;
}

export function renderXml(s: PoolSnapshot, full: boolean): string {
  let out = '<?xml version="1.0" ?>\n<status>\n';
  for (const f of POOL_FIELDS) out += `${element(f, s)}\n`;
  if (!full) return `${out}</status>`;
  out += '<processes>\n';
  for (const p of s.processes)
    out += `<process>${PROCESS_FIELDS.map((f) => element(f, p)).join('')}${others(p)}</process>\n`;
  return `${out}</processes>\n</status>`;
}

function others(p: ProcessSnapshot): string {
  const { xml, item } = OTHER_REQUESTS;
  const requests = p.otherRequests.map(
    (r) => `<${item}>${REQUEST_FIELDS.map((f) => element(f, r)).join('')}</${item}>`,
  );
  return `<${xml}>${requests.join('')}</${xml}>`;
}
