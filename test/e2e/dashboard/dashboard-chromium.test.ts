// The live dashboard (`?dashboard` on pm.status_path) in a real headless Chromium, loaded through
// nginx while load runs: the page polls `?json&full`, and its numbers must move. Chromium runs with a
// virtual-time budget (timers fire without waiting in real time, network fetches are awaited) and
// prints the DOM it reached; a second run saves a screenshot into test-artifacts/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { httpRequest } from '../../helpers/http-client.js';
import { startNginx } from '../../helpers/nginx.js';
import { FIXTURE_SCRIPTS, REPO_ROOT } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { requireTool } from '../../helpers/tools.js';

function runChromium(binary: string, args: readonly string[], profile: string): Promise<string> {
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(binary, [...flags, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`chromium failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const attr = (dom: string, name: string): number =>
  Number(new RegExp(`<body[^>]*\\b${name}="([^"]*)"`).exec(dom)?.[1] ?? NaN);

void test(
  'the ?dashboard page in headless Chromium through nginx: updates live while load runs; screenshot saved',
  { timeout: 120_000 },
  async (t) => {
    const chromium = requireTool(t, 'chromium', 'chromium');
    if (chromium === undefined) return;
    const fpm = await startDaemon(t, { vars: { MAX_CHILDREN: '2', POOL_EXTRA: 'pm.status_path = /status' } });
    const nginx = await startNginx(t, { upstream: fpm.address, root: FIXTURE_SCRIPTS, statusPath: '/status' });
    if (nginx === undefined) return;
    const url = `${nginx.baseUrl}/status?dashboard`;
    const page = await httpRequest(url);
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /^text\/html/);

    // Load through nginx until Chromium is done.
    let loading = true;
    let sent = 0;
    const load = (async () => {
      while (loading) {
        await Promise.all(
          Array.from({ length: 4 }, () => httpRequest(`${nginx.baseUrl}/hello.mjs`).then(() => sent++)),
        );
      }
    })();
    const profile = makeTempDir('tsfpm-chromium-');
    t.after(() => profile.remove());
    let dom: string;
    try {
      dom = await runChromium(chromium, ['--virtual-time-budget=6000', '--dump-dom', url], profile.path);
    } finally {
      loading = false;
      await load;
    }
    const updates = attr(dom, 'data-updates');
    const first = attr(dom, 'data-first-accepted');
    const last = attr(dom, 'data-last-accepted');
    assert.ok(updates >= 3, `the page updated ${updates} times${nginx.dump()}`);
    // More accepted connections than the page's own polls: the load shows up.
    assert.ok(
      last - first > updates,
      `accepted conn went ${first} → ${last} over ${updates} updates (${sent} load requests)`,
    );
    assert.ok(attr(dom, 'data-max-rps') > 0);
    assert.match(dom, /<b id="pool">|id="pool">www</);
    assert.equal((dom.match(/<tr><td>\d+<\/td><td class="(Idle|Running)"/g) ?? []).length, 2, 'one row per child');
    assert.match(dom, /<b id="maxchildren">2<\/b>/);
    assert.match(dom, /<span id="error"><\/span>/, 'no failed update');

    const artifacts = join(REPO_ROOT, 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    const shot = join(artifacts, 'dashboard.png');
    await runChromium(
      chromium,
      ['--virtual-time-budget=3000', '--window-size=1280,900', `--screenshot=${shot}`, url],
      profile.path,
    );
    assert.ok(existsSync(shot) && statSync(shot).size > 1000, `screenshot at ${shot}`);
  },
);
