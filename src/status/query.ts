// The status page's query flags: keys of the query string, as php-fpm reads them from $_GET
// (`?json`, `?json&full`, `?full=1`). Format priority when several are given:
// html > xml > json > openmetrics > text. `dashboard` is tsfpm's own live page and wins over all.
import type { StatusQuery } from './snapshot.js';

export function parseStatusQuery(queryString: string): StatusQuery {
  const params = new URLSearchParams(queryString);
  const keys = new Set(params.keys());
  const format = keys.has('dashboard')
    ? 'dashboard'
    : keys.has('html')
      ? 'html'
      : keys.has('xml')
        ? 'xml'
        : keys.has('json')
          ? 'json'
          : keys.has('openmetrics')
            ? 'openmetrics'
            : 'text';
  const refresh = Number(params.get('refresh') ?? '');
  return Number.isInteger(refresh) && refresh > 0
    ? { format, full: keys.has('full'), refresh }
    : { format, full: keys.has('full') };
}
