// `tsfpm status` against a running daemon: the human table shows the page's figures in human units
// (a local start time, an uptime, ms, MiB) and keeps every field; `--json` keeps the raw numbers.
import assert from 'node:assert/strict';
import test from 'node:test';
import { formatLocalTime } from '../../src/client/human-units.js';
import { startDaemon } from '../helpers/daemon.js';
import { listenText } from '../helpers/fcgi-client.js';
import { describeResult, runTsfpm } from '../helpers/tsfpm-cli.js';
import { waitFor } from '../helpers/wait-for.js';

interface RawPage {
  readonly 'start time': number;
  readonly 'accepted conn': number;
  readonly 'memory peak': number;
  readonly processes: readonly { readonly pid: number; readonly requests: number; readonly memory: number }[];
}

const BYTES = /^\d+(\.\d)? (B|KiB|MiB|GiB)$/;
const DURATION = /^(\d+ µs|\d+(\.\d)? (ms|s)|\d+[mhd](\d+[smh])?)$/;
const UPTIME = /^(\d+ s|\d+[mhd](\d+[smh])?)$/;
const LOCAL_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** `name: value` lines before the process table. */
function poolLines(text: string): Map<string, string> {
  const head = text.slice(0, text.indexOf('\n\n'));
  return new Map(
    head.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

/** The process table as rows of column → cell, cut where each header starts. */
function processRows(text: string): Map<string, string>[] {
  const [header = '', , ...rows] = text
    .slice(text.indexOf('\n\n') + 2)
    .trimEnd()
    .split('\n');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  return rows.map(
    (row) => new Map(starts.map((c, i) => [c.name, row.slice(c.at, starts[i + 1]?.at ?? row.length).trim()])),
  );
}

void test('tsfpm status shows human units; --json stays raw', { timeout: 60_000 }, async (t) => {
  const fpm = await startDaemon(t, { vars: { POOL_EXTRA: 'pm.status_path = /status' } });
  const connect = ['--connect', listenText(fpm.address)];
  for (let i = 0; i < 4; i++) assert.equal((await fpm.request({ script: 'hello.mjs' })).status, 200);
  const raw = async (): Promise<RawPage> => {
    const json = await runTsfpm(['status', ...connect, '--json']);
    assert.equal(json.code, 0, describeResult(json));
    return JSON.parse(json.stdout) as RawPage;
  };
  const page = await waitFor(async () => ((await raw())['accepted conn'] >= 4 ? raw() : undefined), {
    what: 'the four requests in the status page',
  });
  assert.equal(typeof page['start time'], 'number');
  assert.ok(page['memory peak'] > 1024 * 1024, 'memory peak in bytes');

  const human = await runTsfpm(['status', ...connect]);
  assert.equal(human.code, 0, describeResult(human));
  const text = human.stdout;
  assert.ok(!text.includes(String(page['start time'])), `no epoch seconds in\n${text}`);

  const pool = poolLines(text);
  assert.equal(pool.get('pool'), 'www');
  assert.equal(pool.get('start time'), formatLocalTime(page['start time']));
  assert.match(pool.get('start time') ?? '', LOCAL_TIME);
  assert.match(pool.get('start since') ?? '', UPTIME);
  assert.match(pool.get('memory peak') ?? '', BYTES);
  assert.match(pool.get('accepted conn') ?? '', /^\d+$/);

  const rows = processRows(text);
  assert.deepEqual(rows.map((row) => Number(row.get('pid'))).sort(), page.processes.map((p) => p.pid).sort(), text);
  for (const row of rows) {
    assert.match(row.get('start time') ?? '', LOCAL_TIME, text);
    assert.match(row.get('start since') ?? '', UPTIME, text);
    assert.match(row.get('request duration') ?? '', DURATION, text);
    assert.match(row.get('content length') ?? '', BYTES, text);
    assert.match(row.get('last request cpu') ?? '', /^\d+\.\d\d%$/, text);
    assert.match(row.get('last request memory') ?? '', BYTES, text);
    assert.match(row.get('memory') ?? '', / MiB$/, text);
  }
});
