// The README and docs/ are kept in step with the code: the generated tables (directives, error codes)
// match what the code generates, every status field, command-line option and exit status is
// documented, every page of docs/ is reachable from the README, and every link between them resolves.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { parseCommandLine } from '../../../src/cli/options.js';
import { runRequestCommand } from '../../../src/cli/request-command.js';
import { runStatusCommand } from '../../../src/cli/status-command.js';
import type { CommandIo } from '../../../src/cli/subcommand-io.js';
import { GENERATED_BLOCKS, generatedSection } from '../../../src/config/docs.js';
import { ERROR_CODES } from '../../../src/errors.js';
import { EXIT_CONFIG, EXIT_OK, EXIT_SOFTWARE, EXIT_USAGE } from '../../../src/exit-codes.js';
import { POOL_FIELDS, PROCESS_FIELDS } from '../../../src/status/fields.js';
import { repoPath } from '../../helpers/paths.js';
import { anchors, codeBlocks, headingSlug, linkTargets, readPage } from '../../helpers/markdown.js';

const README = readPage('README.md');
const DOC_PAGES = readdirSync(repoPath('docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

test('README opens with the two commands: run the example, run the tests', () => {
  const first = codeBlocks(README)[0];
  assert.equal(first?.lang, 'sh');
  const commands = (first?.body ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('#')[0]?.trim());
  assert.deepEqual(commands, ['npm ci && npm start', 'npm test']);
});

for (const block of GENERATED_BLOCKS) {
  test(`${block.file}: the generated ${block.marker} block is current (npm run docs writes it)`, () => {
    const section = generatedSection(readPage(block.file), block.marker);
    assert.ok(
      section !== undefined,
      `${block.file} lacks <!-- ${block.marker}:start --> … <!-- ${block.marker}:end -->`,
    );
    assert.equal(section, block.render().trim(), `${block.file} is stale: run npm run docs`);
  });
}

test('docs/error-codes.md lists every error code with its meaning, in the order of src/errors.ts', () => {
  const section = generatedSection(readPage('docs/error-codes.md'), 'error-codes') ?? '';
  const listed = [...section.matchAll(/`(TSFPM_ERR_[A-Z_]+)`/g)].map((m) => m[1]);
  assert.deepEqual(listed, Object.keys(ERROR_CODES));
  for (const [code, meaning] of Object.entries(ERROR_CODES))
    assert.ok(section.includes(`| \`${code}\` | ${meaning} |`), code);
});

test('docs/status-and-scoreboard.md describes every status field in a table row', () => {
  const page = readPage('docs/status-and-scoreboard.md');
  for (const field of [...POOL_FIELDS, ...PROCESS_FIELDS])
    assert.match(page, new RegExp(`^\\| \`${field.text}\` \\|`, 'm'), `the status field '${field.text}'`);
});

/** The `-x` and `--long` flags a commander help text lists. */
function helpFlags(help: string): string[] {
  const flags: string[] = [];
  for (const line of help.split('\n')) {
    // `  -y, --fpm-config <file>     text`: the flags are the words before the run of spaces.
    const spec = /^ {2}(-\S.*?)(?: {2,}|$)/.exec(line)?.[1];
    if (spec !== undefined) flags.push(...[...spec.matchAll(/(?:^|, )(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1] ?? ''));
  }
  return flags;
}

async function subcommandHelp(run: (argv: readonly string[], io: CommandIo) => Promise<number>): Promise<string> {
  let out = '';
  const io: CommandIo = {
    out: (data) => {
      out += String(data);
      return Promise.resolve();
    },
    err: () => Promise.resolve(),
  };
  assert.equal(await run(['--help'], io), EXIT_OK);
  return out;
}

test('docs/command-line.md documents every option of tsfpm, tsfpm request and tsfpm status', async () => {
  const page = readPage('docs/command-line.md');
  const main = parseCommandLine(['--help']);
  assert.equal(main.kind, 'exit');
  const sections: [string, string][] = [
    ['tsfpm', main.kind === 'exit' ? main.output : ''],
    ['tsfpm request', await subcommandHelp(runRequestCommand)],
    ['tsfpm status', await subcommandHelp(runStatusCommand)],
  ];
  for (const [name, help] of sections) {
    const flags = helpFlags(help);
    assert.ok(flags.includes('--help') && flags.length > 3, `${name}: flags read from its help (${flags.join(' ')})`);
    // Each command's options are documented in its own section of the page.
    const heading = name === 'tsfpm' ? '## tsfpm: the daemon' : `## ${name}`;
    const from = page.indexOf(`${heading}\n`);
    assert.notEqual(from, -1, `docs/command-line.md has a '${heading}' section`);
    const next = page.indexOf('\n## ', from + 1);
    const section = page.slice(from, next === -1 ? undefined : next);
    for (const flag of flags) assert.ok(section.includes(`\`${flag}`), `${name} ${flag} in docs/command-line.md`);
  }
});

test('docs/command-line.md lists every exit status of tsfpm', () => {
  const page = readPage('docs/command-line.md');
  for (const code of [EXIT_OK, EXIT_USAGE, EXIT_SOFTWARE, EXIT_CONFIG])
    assert.match(page, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `exit status ${code}`);
});

test('the README links every page of docs/', () => {
  assert.ok(DOC_PAGES.length >= 10, DOC_PAGES.join(' '));
  const linked = new Set(linkTargets(README).map((target) => target.split('#')[0]));
  for (const page of DOC_PAGES) assert.ok(linked.has(page), `README links ${page}`);
});

test('every link of the README and docs/ resolves, anchors included', () => {
  for (const page of ['README.md', ...DOC_PAGES]) {
    for (const target of linkTargets(readPage(page))) {
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? page : normalize(join(dirname(page), path));
      assert.ok(existsSync(repoPath(file)), `${page}: ${target} (no ${file})`);
      if (anchor !== undefined && file.endsWith('.md'))
        assert.ok(anchors(readPage(file)).has(anchor), `${page}: ${target} (no heading '#${anchor}' in ${file})`);
    }
  }
});

test('heading anchors follow GitHub`s rule', () => {
  assert.equal(
    headingSlug('Handler modes (`handler = auto|fetch|node|cgi`)'),
    'handler-modes-handler--autofetchnodecgi',
  );
  assert.equal(headingSlug("tsfpm's additions"), 'tsfpms-additions');
  assert.deepEqual([...anchors('# A\n## B\n```\n# not a heading\n```\n## B\n')], ['a', 'b', 'b-1']);
});
