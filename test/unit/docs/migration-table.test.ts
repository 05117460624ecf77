// docs/php-fpm-differences.md names every PHP-FPM directive tsfpm knows in its directive-by-directive
// table (src/config/directives.ts is the source of truth), and each directive tsfpm ignores is marked
// "ignored" there, so the migration guide cannot drift from the code.
import assert from 'node:assert/strict';
import test from 'node:test';
import { DIRECTIVES } from '../../../src/config/directives.js';
import { readPage } from '../../helpers/markdown.js';

function migrationRows(): Map<string, string> {
  const page = readPage('docs/php-fpm-differences.md');
  const start = page.indexOf('## Directive by directive');
  assert.notEqual(start, -1, 'docs/php-fpm-differences.md has a "Directive by directive" section');
  const end = page.indexOf('\n## ', start + 1);
  const section = page.slice(start, end === -1 ? undefined : end);
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = /^\| (.+?) \| (.+) \|$/.exec(line);
    if (cells === null) continue;
    // `php_value[…]` is listed as php_value; names are the backquoted words of the first cell.
    for (const name of (cells[1] ?? '').matchAll(/`([a-z_.]+)(?:\[[^\]]*\])?`/g))
      rows.set(name[1] ?? '', cells[2] ?? '');
  }
  return rows;
}

void test('every PHP-FPM directive is in the migration table; ignored ones say so', () => {
  const rows = migrationRows();
  assert.ok(rows.size > 40, `${rows.size} rows read`);
  for (const directive of DIRECTIVES) {
    if (directive.origin !== 'php-fpm') continue;
    const row = rows.get(directive.name);
    assert.ok(row !== undefined, `docs/php-fpm-differences.md lists ${directive.name}`);
    if (directive.ignoredBecause !== undefined) assert.match(row, /^ignored/, `${directive.name} is marked ignored`);
    else assert.doesNotMatch(row, /^ignored/, `${directive.name} is not ignored by tsfpm`);
  }
});
