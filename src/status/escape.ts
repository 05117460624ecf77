// Escaping for the markup formats. php-fpm escapes only the query string (ENT_COMPAT: & < > ");
// tsfpm escapes every string it inserts, so a pool name or script path cannot break a parser.
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ENTITIES[c] ?? c);
}
