// The generated parts of docs/: the directive reference (docs/configuration.md) from THE table and the
// error-code table (docs/error-codes.md) from src/errors.ts, so docs and code cannot drift.
// `npm run docs` writes them between their markers; test/unit/docs checks that they are current.
import { ERROR_CODES } from '../errors.js';
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

/** A markdown table: code, meaning, in the order of src/errors.ts. */
export function renderErrorCodeTable(): string {
  const rows = [
    '| code | meaning |',
    '|---|---|',
    ...Object.entries(ERROR_CODES).map(([code, text]) => `| \`${code}\` | ${cell(text)} |`),
  ];
  return `${rows.join('\n')}\n`;
}

/** A generated block of a docs page: its file (relative to the repository), its marker name and its text. */
export interface GeneratedBlock {
  readonly file: string;
  readonly marker: string;
  readonly render: () => string;
}

export const GENERATED_BLOCKS: readonly GeneratedBlock[] = [
  { file: 'docs/configuration.md', marker: 'directives', render: renderDirectiveReference },
  { file: 'docs/error-codes.md', marker: 'error-codes', render: renderErrorCodeTable },
];

/** The text between `<!-- NAME:start -->` and `<!-- NAME:end -->`, or undefined without both markers. */
export function generatedSection(text: string, marker: string): string | undefined {
  const start = `<!-- ${marker}:start -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(`<!-- ${marker}:end -->`);
  return from === -1 || to < from ? undefined : text.slice(from + start.length, to).trim();
}

/** The page with the section between the markers replaced by `content`; undefined without both markers. */
export function replaceGeneratedSection(text: string, marker: string, content: string): string | undefined {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) return undefined;
  return `${text.slice(0, from + start.length)}\n${content.trim()}\n${text.slice(to)}`;
}
