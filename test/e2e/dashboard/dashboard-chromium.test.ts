// The live dashboard (`?dashboard` on pm.status_path) in a real headless Chromium, loaded through
// nginx while load runs: the page polls `?json&full`, and its numbers must move. The first test runs
// Chromium with a virtual-time budget (timers fire without waiting in real time, network fetches are
// awaited) and prints the DOM it reached; a second run saves a screenshot into test-artifacts/. The
// second test runs the page in real time (driven over the DevTools protocol) under real load and
// checks that an idle pool shows no load (the page's own polls are not counted) and that the request rate
// it shows under load is the rate the load really had.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { startDaemon } from '../../helpers/daemon.js';
import { httpRequest } from '../../helpers/http-client.js';
import { startNginx } from '../../helpers/nginx.js';
import { FIXTURE_SCRIPTS, REPO_ROOT } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { requireTool } from '../../helpers/tools.js';
import { ChromiumPage } from '../../helpers/chromium-cdp.js';
import { waitFor } from '../../helpers/wait-for.js';

function chromiumFlags(profile: string): string[] {
  return [
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
}

function runChromium(binary: string, args: readonly string[], profile: string): Promise<string> {
  const flags = chromiumFlags(profile);
  return new Promise((resolve, reject) => {
    execFile(binary, [...flags, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`chromium failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Chromium, and nginx in front of a two-child pool that serves /status; undefined when a tool is missing (skipped). */
async function startDashboardStack(t: TestContext) {
  const chromium = requireTool(t, 'chromium', 'chromium');
  if (chromium === undefined) return undefined;
  const fpm = await startDaemon(t, { vars: { MAX_CHILDREN: '2', POOL_EXTRA: 'pm.status_path = /status' } });
  const nginx = await startNginx(t, { upstream: fpm.address, root: FIXTURE_SCRIPTS, statusPath: '/status' });
  if (nginx === undefined) return undefined;
  return { chromium, nginx };
}

const attr = (dom: string, name: string): number =>
  Number(new RegExp(`<body[^>]*\\b${name}="([^"]*)"`).exec(dom)?.[1] ?? NaN);

void test(
  'the ?dashboard page in headless Chromium through nginx: updates live while load runs; screenshot saved',
  { timeout: 120_000 },
  async (t) => {
    const stack = await startDashboardStack(t);
    if (stack === undefined) return;
    const { chromium, nginx } = stack;
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

void test(
  'the ?dashboard page in real time under real load: the request rate it shows is the real one (status polls excluded)',
  { timeout: 180_000 },
  async (t) => {
    const stack = await startDashboardStack(t);
    if (stack === undefined) return;
    const { chromium, nginx } = stack;

    const profile = makeTempDir('tsfpm-chromium-');
    const page = await ChromiumPage.open(
      chromium,
      chromiumFlags(profile.path),
      `${nginx.baseUrl}/status?dashboard`,
    ).catch((err: unknown) => {
      profile.remove();
      throw err;
    });
    // Chromium first, then its profile (after hooks run in the order they were added).
    t.after(async () => {
      await page.close();
      profile.remove();
    });
    const read = async (): Promise<{ updates: number; rps: number; window: number; finished: string; p50: string }> =>
      (await page.evaluate(
        `({ updates: Number(document.body.getAttribute('data-updates')), rps: Number(document.body.getAttribute('data-rps')),` +
          ` window: Number(document.getElementById('window').textContent),` +
          ` finished: document.getElementById('finished').textContent, p50: document.getElementById('p50').textContent })`,
      )) as { updates: number; rps: number; window: number; finished: string; p50: string };

    // No load yet: the page's own polls (each one a request to the pool) are not shown as load.
    const idle = await waitFor(
      async () => {
        const s = await read();
        return s.updates >= 3 ? s : undefined;
      },
      { timeoutMs: 30_000, what: 'three updates of the idle dashboard', intervalMs: 250 },
    );
    assert.equal(idle.rps, 0, `an idle pool shows ${idle.rps} req/s`);
    assert.equal(idle.finished, '0');
    assert.equal(idle.p50, '-');

    // Steady load, each finished request timestamped, until the test has read the page.
    const finishedAt: number[] = [];
    let loading = true;
    const load = Promise.all(
      Array.from({ length: 6 }, async () => {
        while (loading) {
          const res = await httpRequest(`${nginx.baseUrl}/hello.mjs`);
          if (res.status === 200) finishedAt.push(Date.now());
        }
      }),
    );
    try {
      // The server's window is 10 s: read once it is full of load (and the page updated a few times).
      const loadStart = Date.now();
      const updatesBefore = idle.updates;
      const seen = await waitFor(
        async () => {
          const s = await read();
          return Date.now() - loadStart >= 12_000 && s.updates >= updatesBefore + 5 && s.window >= 9 ? s : undefined;
        },
        { timeoutMs: 90_000, what: 'the dashboard to show a full window', intervalMs: 500 },
      );
      const now = Date.now();
      const real = finishedAt.filter((at) => at > now - seen.window * 1000).length / seen.window;
      t.diagnostic(`shown ${seen.rps.toFixed(1)} req/s, real ${real.toFixed(1)} req/s, p50 ${seen.p50}`);
      assert.ok(real > 0, 'the load ran');
      // The page shows what the master measured: the same rate within a sane factor (not 83 for 9,000).
      assert.ok(seen.rps > real / 2 && seen.rps < real * 2, `shown ${seen.rps} req/s, real ${real.toFixed(1)} req/s`);
      assert.notEqual(seen.p50, '-', 'a median duration is shown');
    } finally {
      loading = false;
      await load;
    }
  },
);
