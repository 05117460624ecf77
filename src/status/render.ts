// The status page: picks the renderer for the query's format (sapi/fpm/fpm/fpm_status.c). Each format lives in
// its own module; all of them are pure functions of a PoolSnapshot.
import { renderDashboard } from './render-dashboard.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { OPENMETRICS_CONTENT_TYPE, renderOpenMetrics } from './render-openmetrics.js';
import { renderText } from './render-text.js';
import { renderXml } from './render-xml.js';
import type { PoolSnapshot, RenderedPage, StatusQuery } from './snapshot.js';

export { parseStatusQuery } from './query.js';
export { formatStatusTime } from './status-time.js';
export { renderText } from './render-text.js';

export function renderStatus(snapshot: PoolSnapshot, query: StatusQuery): RenderedPage {
  switch (query.format) {
    case 'json':
      return { contentType: 'application/json', body: renderJson(snapshot, query.full) };
    case 'xml':
      return { contentType: 'text/xml', body: renderXml(snapshot, query.full) };
    case 'html':
      return { contentType: 'text/html', body: renderHtml(snapshot, query.full, query.refresh) };
    case 'openmetrics':
      return { contentType: OPENMETRICS_CONTENT_TYPE, body: renderOpenMetrics(snapshot) };
    case 'dashboard':
      return { contentType: 'text/html; charset=utf-8', body: renderDashboard(snapshot) };
    case 'text':
      return { contentType: 'text/plain', body: renderText(snapshot, query.full) };
  }
}
