// Every runtime dependency in package.json is imported by the code that ships (src/), so none is
// installed on users' machines for nothing, and every package src/ imports is declared.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import test from 'node:test';
import { repoPath } from '../../helpers/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The package names that static and dynamic imports in `text` name (relative and node: imports left out). */
function importedPackages(text: string): string[] {
  // import/export statements (at a line's start, so comments that say "from 'x'" do not count) and import().
  const patterns = [
    /^\s*(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'/gm,
    /^\s*import\s+'([^']+)'/gm,
    /\bimport\(\s*'([^']+)'\s*\)/g,
  ];
  const specifiers = patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1] ?? ''));
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0] ?? ''))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s)));
}

const manifest = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const declared = Object.keys(manifest.dependencies).sort();
const imported = new Set(sourceFiles(repoPath('src')).flatMap((file) => importedPackages(readFileSync(file, 'utf8'))));

test('every dependency in package.json is imported somewhere in src/', () => {
  assert.deepEqual(
    declared.filter((name) => !imported.has(name)),
    [],
  );
});

test('every package src/ imports is a declared dependency', () => {
  assert.deepEqual([...imported].filter((name) => !declared.includes(name)).sort(), []);
});
