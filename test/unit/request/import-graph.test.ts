// The dependency rules of src/, checked on the TypeScript sources: the request path is one-way (worker →
// request ← handlers; worker → handlers allowed, never back), the logger does not reach into the worker,
// master and worker never import each other, and no module imports itself through others.
// Every relative import counts, `import type` and `export … from` included: a type-only cycle still
// ties the files' meaning together.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../../../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Each file under src/ (as `worker/main.ts`) with the src/ files it imports. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((ref) => ref.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => relative(root, resolve(dirname(file), name)).replace(/\.js$/, '.ts'));
    graph.set(relative(root, file), [...new Set(targets)]);
  }
  return graph;
}

/** The first import cycle found (its files in order, the first repeated at the end), or undefined. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      const seen = state.get(next);
      if (seen === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (seen === undefined) {
        const cycle = visit(next);
        if (cycle !== undefined) return cycle;
      }
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of [...graph.keys()].sort()) {
    if (state.has(file)) continue;
    const cycle = visit(file);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

const graph = importGraph(SRC);
const area = (file: string): string => file.split('/')[0] ?? file;

/** Every import from a file in `from` areas to a file in `to` areas, as `a.ts → b.ts` lines. */
function importsBetween(from: readonly string[], to: readonly string[]): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    if (!from.includes(area(file))) continue;
    for (const target of targets) if (to.includes(area(target))) found.push(`${file} → ${target}`);
  }
  return found;
}

test('the graph is read from the sources (a check on nothing would pass)', () => {
  assert.ok(graph.size > 50, `${graph.size} files under src/`);
  assert.ok(
    graph.get('worker/main.ts')?.includes('worker/connection.ts'),
    'worker/main.ts imports worker/connection.ts',
  );
});

test('handlers, request and log never import from worker', () => {
  assert.deepEqual(importsBetween(['handlers', 'request', 'log'], ['worker']), []);
});

test('request imports neither worker nor handlers', () => {
  assert.deepEqual(importsBetween(['request'], ['worker', 'handlers']), []);
});

test('handlers and request take nothing from src/fastcgi but the Params type (the role comes as a value)', () => {
  const found = importsBetween(['handlers', 'request'], ['fastcgi']).filter(
    (line) => !line.endsWith('→ fastcgi/params.ts'),
  );
  assert.deepEqual(found, []);
});

test('master and worker never import each other', () => {
  assert.deepEqual([...importsBetween(['master'], ['worker']), ...importsBetween(['worker'], ['master'])], []);
});

test('no cycle between the directories of src/ (worker, handlers, master, config, ...)', () => {
  const areas = new Map<string, string[]>();
  for (const [file, targets] of graph) {
    const from = area(file);
    const list = areas.get(from) ?? [];
    for (const target of targets) if (area(target) !== from && !list.includes(area(target))) list.push(area(target));
    areas.set(from, list);
  }
  assert.equal(findCycle(areas)?.join(' → '), undefined);
});

test('no import cycle anywhere in src/', () => {
  const cycle = findCycle(graph);
  assert.equal(cycle?.join(' → '), undefined);
});

test('findCycle reports a cycle with its files, and none in a tree', () => {
  const cyclic = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
  ]);
  assert.deepEqual(findCycle(cyclic), ['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  const tree = new Map([
    ['a.ts', ['b.ts', 'c.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', []],
  ]);
  assert.equal(findCycle(tree), undefined);
});
