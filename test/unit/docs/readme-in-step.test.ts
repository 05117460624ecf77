// The README's directive reference and error-code table are generated from the code; this keeps them
// from drifting: error codes and directive names are what users configure and match on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderDirectiveReference } from '../../../src/config/docs.js';
import { ERROR_CODES } from '../../../src/errors.js';
import { repoPath } from '../../helpers/paths.js';

const README = readFileSync(repoPath('README.md'), 'utf8');

function between(start: string, end: string): string {
  const from = README.indexOf(start);
  const to = README.indexOf(end);
  assert.ok(from !== -1 && to > from, `README lacks the ${start} … ${end} section`);
  return README.slice(from + start.length, to).trim();
}

test('README directive reference equals the one generated from the directive table', () => {
  assert.equal(between('<!-- directives:start -->', '<!-- directives:end -->'), renderDirectiveReference().trim());
});

test('README lists every error code with its meaning, and no stale one', () => {
  const section = between('<!-- error-codes:start -->', '<!-- error-codes:end -->');
  const listed = [...section.matchAll(/`(TSFPM_ERR_[A-Z_]+)`/g)].map((m) => m[1]);
  assert.deepEqual(listed, Object.keys(ERROR_CODES));
  for (const [code, meaning] of Object.entries(ERROR_CODES))
    assert.ok(section.includes(`| \`${code}\` | ${meaning} |`), code);
});

test('README opens with the two commands: run the example, run the tests', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
  const commands = firstBlock
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('#')[0]?.trim());
  assert.deepEqual(commands, ['npm ci && npm start', 'npm test']);
});
