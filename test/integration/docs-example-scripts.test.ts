// The scripts the README and docs/scripts.md show actually run. Every js/ts block whose first line is a
// `// <path>` comment is an example: a block naming conf/www/<file> must be that file's code (the file
// is then served from conf/www), any other is written to a scratch app directory, with node_modules
// reachable for its npm imports, and served from there. Each example gets the request the docs describe.
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import test from 'node:test';
import { startDaemon } from '../helpers/daemon.js';
import type { FcgiResponse } from '../helpers/fcgi-client.js';
import { repoPath } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { codeBlocks, readPage } from '../helpers/markdown.js';

interface Example {
  readonly page: string;
  readonly path: string;
  readonly code: string;
}

const PAGES = ['README.md', 'docs/scripts.md'];

function examples(): Example[] {
  const found: Example[] = [];
  for (const page of PAGES) {
    for (const block of codeBlocks(readPage(page))) {
      if (!['js', 'ts'].includes(block.lang)) continue;
      const named = /^\/\/ (\S+\.(?:mjs|js|ts))\n/.exec(block.body);
      if (named?.[1] !== undefined) found.push({ page, path: named[1], code: block.body.slice(named[0].length) });
    }
  }
  return found;
}

type Check = (
  send: (options: { method?: string; query?: string; body?: string; json?: boolean }) => Promise<FcgiResponse>,
) => Promise<void>;

/** What each example is asked, and what it must answer. */
const CHECKS: Readonly<Record<string, Check>> = {
  'hello.mjs': async (send) => {
    const response = await send({});
    assert.equal(response.status, 200);
    assert.equal(response.body.toString(), 'Hello from tsfpm\n');
  },
  'json.mjs': async (send) => {
    const ok = await send({ method: 'POST', body: '{"name":"Ada"}', json: true });
    assert.equal(ok.status, 200, ok.body.toString());
    assert.deepEqual(JSON.parse(ok.body.toString()), { hello: 'Ada', received: { name: 'Ada' } });
    assert.equal((await send({ method: 'POST', body: '{not json', json: true })).status, 400);
    const get = await send({});
    assert.equal(get.status, 405);
    assert.equal(get.headers['allow'], 'POST');
  },
  'cjs-hello.js': async (send) => {
    const response = await send({});
    assert.equal(response.status, 200, response.body.toString());
    assert.equal(response.body.toString(), 'Hello from CommonJS\n');
  },
  'greet.ts': async (send) => {
    assert.equal((await send({ query: 'name=Ada' })).body.toString(), 'Hello, Ada\n');
    assert.equal((await send({})).body.toString(), 'Hello, TypeScript\n');
  },
  'app.mjs': async (send) => {
    const response = await send({});
    assert.equal(response.status, 200, response.body.toString());
    assert.deepEqual(JSON.parse(response.body.toString()), { path: '/app.mjs', via: 'hono' });
  },
};

void test('the example scripts of the README and docs/scripts.md run as described', { timeout: 60_000 }, async (t) => {
  const found = examples();
  assert.ok(found.length >= 6, `${found.length} examples found`);
  const app = makeTempDir('tsfpm-examples-');
  t.after(() => app.remove());
  // Packages resolve from node_modules beside the script or above it, as in /srv/app. No package.json:
  // each example is an ES module or CommonJS by its own syntax (the docs say so).
  symlinkSync(repoPath('node_modules'), join(app.path, 'node_modules'), 'dir');
  const fpm = await startDaemon(t, { vars: { POOL_EXTRA: 'security.limit_extensions = .js .mjs .ts' } });

  for (const example of found) {
    const name = basename(example.path);
    const check = CHECKS[name];
    assert.ok(check !== undefined, `${example.page}: no request defined for the example ${example.path}`);
    let script: string;
    if (example.path.startsWith('conf/www/')) {
      script = repoPath(example.path);
      const file = readFileSync(script, 'utf8');
      assert.ok(file.includes(example.code), `${example.page}: the ${example.path} block is the file's code`);
    } else {
      script = join(app.path, name);
      writeFileSync(script, example.code);
    }
    await t.test(`${example.page}: ${example.path}`, () =>
      check(({ method, query, body, json }) =>
        fpm.request({
          script,
          ...(method === undefined ? {} : { method }),
          ...(query === undefined ? {} : { query }),
          ...(body === undefined ? {} : { body }),
          ...(json === true ? { params: { CONTENT_TYPE: 'application/json' } } : {}),
        }),
      ),
    );
  }
});
