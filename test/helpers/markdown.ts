// Reading the project's Markdown for the docs tests: pages by path, their links outside code blocks,
// and the anchors their headings make (GitHub's rule: lower case, punctuation dropped, spaces → '-',
// a repeated heading gets -1, -2, …).
import { readFileSync } from 'node:fs';
import { repoPath } from './paths.js';

export function readPage(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}

/** The page without its fenced code blocks (a `[x](y)` inside code is not a link). */
function prose(text: string): string {
  return text.replace(/^[ \t]*```[\s\S]*?^[ \t]*```/gm, '');
}

/** Every link target of the page, as written: `docs/x.md`, `x.md#anchor`, `#anchor`, `https://…`. */
export function linkTargets(text: string): string[] {
  return [...prose(text).matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of every heading of the page. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = headingSlug(match[1] ?? '');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

/** The fenced code blocks of the page, with their info string (`js`, `sh`, …); a list item's indent is removed. */
export function codeBlocks(text: string): { readonly lang: string; readonly body: string }[] {
  return [...text.matchAll(/^([ \t]*)```(\S*)\n([\s\S]*?)^[ \t]*```/gm)].map((m) => {
    const indent = m[1] ?? '';
    const body = (m[3] ?? '')
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n');
    return { lang: m[2] ?? '', body };
  });
}
