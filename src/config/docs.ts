// The README's directive reference, generated from THE table so docs and code cannot drift.
import { DIRECTIVES, type Directive } from './directives.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function displayName(d: Directive): string {
  if (d.kind !== 'array') return d.name;
  return d.name === 'access.suppress_path' ? `${d.name}[]` : `${d.name}[NAME]`;
}

function meaning(d: Directive): string {
  let text = d.doc;
  if (d.origin === 'tsfpm' && !text.startsWith('tsfpm:')) text = `tsfpm: ${text}`;
  if (d.ignoredBecause !== undefined) text += ` **Accepted but ignored by tsfpm:** ${d.ignoredBecause}.`;
  return text;
}

/** A markdown table: name, scope, type, default, meaning. */
export function renderDirectiveReference(): string {
  const rows = [
    '| directive | scope | type | default | meaning |',
    '|---|---|---|---|---|',
    ...DIRECTIVES.map((d) => {
      const scope = d.scope === 'any' ? 'any' : d.scope === 'global' ? '[global]' : 'pool';
      const origin = d.origin === 'tsfpm' ? ' (tsfpm)' : '';
      return `| \`${cell(displayName(d))}\`${origin} | ${scope} | ${cell(d.type.id)} | ${cell(d.defaultText)} | ${cell(meaning(d))} |`;
    }),
  ];
  return `${rows.join('\n')}\n`;
}
