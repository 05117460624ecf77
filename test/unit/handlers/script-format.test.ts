// The syntax that decides whether a script outside a "type": "module" package is an ES module, and
// the parameter names that make a plain function a Node (req, res) handler under handler = auto.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { looksLikeNodeListener, parameterNames } from '../../../src/handlers/handler-shape.js';
import { codeOnly, detectScriptFormat, nearestPackageType } from '../../../src/handlers/script-format.js';
import { formatLocation } from '../../../src/handlers/script-load-error.js';

describe('detectScriptFormat', () => {
  const modules = [
    'export default { fetch() {} };',
    'import x from "y";\nmodule.exports = x;',
    "import 'side-effect';",
    'import * as all from "./a.js"',
    'const a = 1; export { a };',
    'export const fetch = () => 1;',
    'export async function fetch() {}',
    'if (x) {}\nexport default x',
    'console.log(import.meta.url)',
    'const x: number = 1;\nexport default { x };',
  ];
  for (const source of modules)
    it(`module: ${JSON.stringify(source)}`, () => assert.equal(detectScriptFormat(source), 'module'));

  const commonjs = [
    'module.exports = { fetch() {} };',
    'exports.fetch = () => 1;',
    'const m = await import("./m.mjs");',
    '// export default {}\nmodule.exports = {};',
    '/* import x from "y" */ module.exports = {};',
    'const s = "export default x"; module.exports = s;',
    "const s = 'import x from y'; module.exports = s;",
    'const t = `\nexport default ${1}\n`; module.exports = t;',
    'const exported = 1; module.exports = { exported, importer: 2 };',
  ];
  for (const source of commonjs)
    it(`commonjs: ${JSON.stringify(source)}`, () => assert.equal(detectScriptFormat(source), 'commonjs'));

  it('blanks comments and string contents but keeps the code', () => {
    assert.equal(codeOnly('a("x y") // c\n/* d */b'), 'a(" ") \n b');
  });
});

// Functions written out here: tsc keeps their parameter names.
describe('looksLikeNodeListener', () => {
  it('reads simple parameter lists of every function form', () => {
    assert.deepEqual(
      parameterNames(function handler(req: unknown, res: unknown) {
        return [req, res];
      }),
      ['req', 'res'],
    );
    assert.deepEqual(
      parameterNames((a: unknown, b: unknown) => [a, b]),
      ['a', 'b'],
    );
    assert.deepEqual(
      parameterNames(async (request: unknown) => Promise.resolve(request)),
      ['request'],
    );
    assert.deepEqual(
      parameterNames((x: unknown, y = 2) => [x, y]),
      ['x', 'y'],
    );
    assert.equal(
      parameterNames(({ a }: { a: number }) => a),
      undefined,
    );
    assert.deepEqual(parameterNames(eval('(async(req,res)=>{})') as () => unknown), ['req', 'res']);
  });

  it('is true for (req, res) and (request, response), false for fetch handlers', () => {
    const node = [
      (req: unknown, res: unknown) => [req, res],
      function (request: unknown, response: unknown) {
        return [request, response];
      },
      (rq: unknown, Res: unknown) => [rq, Res],
    ];
    for (const fn of node) assert.equal(looksLikeNodeListener(fn), true, fn.toString());
    const fetch = [
      (request: unknown, ctx: unknown) => [request, ctx],
      (request: unknown, context: unknown) => [request, context],
      (req: unknown, env: unknown) => [req, env],
      (request: unknown) => request,
      () => 1,
    ];
    for (const fn of fetch) assert.equal(looksLikeNodeListener(fn), false, fn.toString());
  });
});

describe('nearestPackageType', () => {
  it('reads the nearest package.json up the tree, with or without a "type"', (t) => {
    const root = mkdtempSync(join(tmpdir(), 'tsfpm-pkg-type-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'esm/sub/deeper'), { recursive: true });
    mkdirSync(join(root, 'plain/sub'), { recursive: true });
    mkdirSync(join(root, 'bare'));
    writeFileSync(join(root, 'esm/package.json'), '{ "type": "module" }');
    writeFileSync(join(root, 'plain/package.json'), '{ "name": "plain" }');
    assert.equal(nearestPackageType(join(root, 'esm/sub/deeper')), 'module');
    assert.equal(nearestPackageType(join(root, 'plain/sub')), undefined);
    assert.equal(nearestPackageType(join(root, 'bare')), undefined);
  });
});

describe('formatLocation', () => {
  it('prints file:line:column, the line and a caret under the column', () => {
    const text = formatLocation({ file: '/a/b.js', line: 12, column: 5, lineText: '\tfoo(;', text: 'Unexpected ";"' });
    assert.equal(text, '    at /a/b.js:12:5: Unexpected ";"\n    12 |  foo(;\n       |     ^');
  });
});
