// `?html`: php-fpm's XHTML 1.0 Strict page, a two-column table of pool fields and, with `full`, a
// bordered table with one row per process. `refresh=N` (tsfpm) adds a meta refresh for a page that
// updates itself without any script. A child's other running requests follow its row, one row each:
// its pid and state, then the request fields in their columns, the other cells empty.
import { escapeMarkup } from './escape.js';
import { formatNumber, POOL_FIELDS, PROCESS_FIELDS, REQUEST_FIELDS, type Field } from './fields.js';
import type { PoolSnapshot, ProcessSnapshot, RequestSnapshot } from './snapshot.js';
import { formatStatusTime } from './status-time.js';

function cell<T>(f: Field<T>, item: T): string {
  const value = f.get(item);
  if (typeof value === 'string') return escapeMarkup(value);
  return f.kind === 'time' ? formatStatusTime(value) : formatNumber(f.kind, value);
}

export function renderHtml(s: PoolSnapshot, full: boolean, refreshSeconds?: number): string {
  const refresh =
    refreshSeconds !== undefined && refreshSeconds > 0
      ? `<meta http-equiv="refresh" content="${Math.floor(refreshSeconds)}" />`
      : '';
  let out =
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
    `<head><title>PHP-FPM Status Page</title>${refresh}</head>\n` +
    '<body>\n<table>\n';
  for (const f of POOL_FIELDS) out += `<tr><th>${f.text}</th><td>${cell(f, s)}</td></tr>\n`;
  out += '</table>\n';
  if (!full) return `${out}</body></html>`;
  out += `<table border="1">\n<tr>${PROCESS_FIELDS.map((f) => `<th>${f.json}</th>`).join('')}</tr>\n`;
  for (const p of s.processes) {
    out += `<tr>${PROCESS_FIELDS.map((f) => `<td>${cell(f, p)}</td>`).join('')}</tr>\n`;
    for (const other of p.otherRequests) out += otherRow(p, other);
  }
  return `${out}</table></body></html>`;
}

function otherRow(p: ProcessSnapshot, r: RequestSnapshot): string {
  const cells = PROCESS_FIELDS.map((f) => {
    if (f.json === 'pid' || f.json === 'state') return `<td>${cell(f, p)}</td>`;
    const own = REQUEST_FIELDS.find((g) => g.json === f.json);
    return own === undefined ? '<td></td>' : `<td>${cell(own, r)}</td>`;
  });
  return `<tr>${cells.join('')}</tr>\n`;
}
