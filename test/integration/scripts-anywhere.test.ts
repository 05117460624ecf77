// Scripts in a folder of their own, outside this repository (whose package.json says "type":
// "module" and would hide the problem): a .js or .ts script with import/export is an ES module with
// no package.json, or under one that says "type": "commonjs"; one that assigns module.exports is
// CommonJS. Load errors name file:line:column with the line; a `(req, res)` default export runs as
// a Node handler under handler = auto, and a Node handler run as fetch says to set handler = node.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, before, after } from 'node:test';
import { startDaemon, type Daemon } from '../helpers/daemon.js';

const ESM_JS = 'export default {\n  fetch() {\n    return new Response("esm js");\n  },\n};\n';
const ESM_TS = 'const word: string = "esm ts";\nexport default { fetch: (): Response => new Response(word) };\n';
const CJS_JS = 'module.exports = { fetch: () => new Response("cjs js") };\n';
const CJS_TS = 'const word: string = "cjs ts";\nmodule.exports = { fetch: () => new Response(word) };\n';

const FILES: Readonly<Record<string, string>> = {
  'bare/hello.js': ESM_JS,
  'bare/hello.ts': ESM_TS,
  'bare/cjs.js': CJS_JS,
  'bare/cjs.ts': CJS_TS,
  'typed-cjs/package.json': '{ "name": "app", "type": "commonjs" }\n',
  'typed-cjs/hello.js': ESM_JS,
  'typed-cjs/hello.ts': ESM_TS,
  'typed-cjs/cjs.js': CJS_JS,
  'typed-cjs/cjs.ts': CJS_TS,
  'errors/broken.js': 'export default {\n  fetch() {\n    return new Response("x" ;\n  },\n};\n',
  'errors/imports-broken.js': 'import "./broken.js";\nexport default { fetch: () => new Response("x") };\n',
  'errors/broken.ts': 'const n: number = ;\nexport default { fetch: () => new Response("x") };\n',
  'errors/missing-import.js': 'import { x } from "./nowhere.js";\nexport default { fetch: () => new Response(x) };\n',
  'errors/missing-package.js':
    'import { Hono } from "tsfpm-no-such-package";\nexport default { fetch: () => new Response(String(Hono)) };\n',
  'node/vercel-style.js':
    'export default function handler(req, res) {\n  res.setHeader("x-via", "node");\n  res.end("node " + req.method);\n}\n',
  'node/arrow.ts':
    'export default async (request: unknown, response: { end(s: string): void }) => {\n  response.end("arrow");\n};\n',
  'node/misnamed.js': 'export default function (req, out2) {\n  out2.writeHead(200);\n  out2.end("never");\n}\n',
};

describe('scripts in a folder outside the repository', { timeout: 90_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'tsfpm-anywhere-'));
  let fpm: Daemon;
  const scope = { fns: [] as (() => unknown)[], after: (fn: () => unknown) => scope.fns.push(fn) };

  before(async () => {
    for (const [name, text] of Object.entries(FILES)) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    fpm = await startDaemon(scope, {
      vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'security.limit_extensions = .js .mjs .ts' },
    });
  });
  after(async () => {
    for (const fn of scope.fns.reverse()) await fn();
    rmSync(root, { recursive: true, force: true });
  });

  async function body(name: string): Promise<string> {
    const res = await fpm.request({ script: join(root, name) });
    assert.equal(res.status, 200, `${name}: ${res.body.toString()}${fpm.log.dump()}`);
    return res.body.toString();
  }

  for (const folder of ['bare', 'typed-cjs']) {
    it(`runs ES module and CommonJS .js and .ts scripts in ${folder}/`, async () => {
      assert.equal(await body(`${folder}/hello.js`), 'esm js');
      assert.equal(await body(`${folder}/hello.ts`), 'esm ts');
      assert.equal(await body(`${folder}/cjs.js`), 'cjs js');
      assert.equal(await body(`${folder}/cjs.ts`), 'cjs ts');
    });
  }

  const LOAD_ERRORS: readonly (readonly [string, RegExp])[] = [
    [
      'errors/broken.js',
      /SyntaxError: missing \) after argument list\n {4}at \S+\/errors\/broken\.js:3:29: Expected "\)" but found ";"\n {4}3 \| {5}return new Response\("x" ;\n {6}\| {29}\^/,
    ],
    ['errors/imports-broken.js', /SyntaxError: missing \) after argument list\n {4}at \S+\/errors\/broken\.js:3:29: /],
    [
      'errors/broken.ts',
      /TransformError: .*\n {4}at \S+\/errors\/broken\.ts:1:19: Unexpected ";"\n {4}1 \| const n: number = ;/,
    ],
    [
      'errors/missing-import.js',
      /Cannot find module '\S+\/nowhere\.js' imported from \S+\n {4}at \S+\/errors\/missing-import\.js:1:19: Could not resolve "\.\/nowhere\.js"/,
    ],
    [
      'errors/missing-package.js',
      /Cannot find package 'tsfpm-no-such-package' imported from \S+\n {4}at \S+\/errors\/missing-package\.js:1:22: /,
    ],
  ];
  for (const [name, expected] of LOAD_ERRORS) {
    it(`${name}: 500, and the log names the file, line and column with the line`, async () => {
      const mark = fpm.logMark;
      const res = await fpm.request({ script: join(root, name) });
      assert.equal(res.status, 500);
      const logged = await fpm.expectLog(new RegExp(`ERROR: .*${name.replace('.', '\\.')}' failed: `), {
        from: mark,
      });
      // The caret line ends every located error: wait for it, then read the entry as a whole.
      await fpm.expectLog(/^ {4} *\| *\^$/, { from: logged.index });
      const text = fpm.log.lines.slice(logged.index).join('\n');
      assert.match(text, expected);
      assert.doesNotMatch(text.split(/\n\[/)[0] ?? '', /node:internal/);
    });
  }

  it('runs a (req, res) default export as a Node handler under handler = auto', async () => {
    const res = await fpm.request({ script: join(root, 'node/vercel-style.js') });
    assert.equal(res.status, 200, fpm.log.dump());
    assert.equal(res.headers['x-via'], 'node');
    assert.equal(res.body.toString(), 'node GET');
    assert.equal(await body('node/arrow.ts'), 'arrow');
  });

  it('says to set handler = node when a Node handler it could not recognise fails as fetch', async () => {
    const mark = fpm.logMark;
    const res = await fpm.request({ script: join(root, 'node/misnamed.js') });
    assert.equal(res.status, 500);
    await fpm.expectLog(
      /TypeError: out2\.writeHead is not a function \(if this is a Node `\(req, res\)` handler, set `handler = node` in the pool\)/,
      {
        from: mark,
      },
    );
  });
});
