// The README's "Migrating from PHP-FPM" table names every PHP-FPM directive tsfpm knows
// (src/config/directives.ts is the source of truth), and each directive tsfpm ignores is marked
// "ignored" there, so the guide cannot drift from the code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { DIRECTIVES } from '../../src/config/directives.js';
import { REPO_ROOT } from '../helpers/paths.js';

function migrationRows(): Map<string, string> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Migrating from PHP-FPM');
  assert.notEqual(start, -1, 'README has a "Migrating from PHP-FPM" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
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
  for (const directive of DIRECTIVES) {
    if (directive.origin !== 'php-fpm') continue;
    const row = rows.get(directive.name);
    assert.ok(row !== undefined, `README migration table lists ${directive.name}`);
    if (directive.ignoredBecause !== undefined) assert.match(row, /^ignored/, `${directive.name} is marked ignored`);
    else assert.doesNotMatch(row, /^ignored/, `${directive.name} is not ignored by tsfpm`);
  }
});
