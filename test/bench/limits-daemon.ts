// `node dist/test/bench/limits-daemon.js [--scenario idle|trickle-head|trickle-body|all]`: the
// descriptor-exhaustion and slow-client scenarios against a daemon started under a small open-file
// limit (`prlimit --nofile=1024`, what a login shell or systemd's default soft limit gives): 5,000 idle
// connections held open, 2,200 connections sending a BEGIN_REQUEST then one byte a second, 2,200
// bodies trickled a byte a second. Meanwhile a steady trickle of good requests (100 over 10 s, each on
// a fresh connection); it prints the share of them answered with 200 and what the log said.
// `--root DIR` runs another checkout's build (a before/after comparison on the same machine).
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { FcgiAddress } from '../helpers/fcgi-client.js';
import { getFreePort } from '../helpers/free-port.js';
import { FIXTURE_SCRIPTS, REPO_ROOT } from '../helpers/paths.js';
import { Crowd, goodTrickle, raiseOwnFileLimit, type CrowdKind } from '../helpers/slow-clients.js';
import { Daemon } from './daemon.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    root: { type: 'string', default: REPO_ROOT },
    nofile: { type: 'string', default: '1024' },
    children: { type: 'string', default: '2' },
    listen: { type: 'string', default: 'unix' },
    good: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    /** Extra pool directives, `;`-separated (e.g. "request_head_timeout = 3s"). */
    pool: { type: 'string', default: '' },
    /** Print the end of the daemon's log after each scenario. */
    log: { type: 'boolean', default: false },
  },
});

const SCENARIOS: Record<string, { kind: CrowdKind; connections: number }> = {
  idle: { kind: 'idle', connections: 5000 },
  'trickle-head': { kind: 'trickle-head', connections: 2200 },
  'trickle-body': { kind: 'trickle-body', connections: 2200 },
};
const chosen = values.scenario === 'all' ? Object.keys(SCENARIOS) : values.scenario.split(',');
const root = values.root;

async function run(name: string, kind: CrowdKind, connections: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tsfpm-limits-'));
  const address: FcgiAddress =
    values.listen === 'tcp'
      ? { kind: 'tcp', host: '127.0.0.1', port: await getFreePort() }
      : { kind: 'unix', path: join(dir, 'fpm.sock') };
  const listen = address.kind === 'tcp' ? `${address.host}:${address.port}` : address.path;
  const conf = join(dir, 'tsfpm.conf');
  writeFileSync(
    conf,
    [
      '[global]',
      'log_level = notice',
      '[www]',
      `listen = ${listen}`,
      'pm = static',
      `pm.max_children = ${values.children}`,
      ...values.pool.split(';').map((line) => line.trim()),
      '',
    ].join('\n'),
  );
  const daemon = await Daemon.start({
    name: 'tsfpm',
    command: 'prlimit',
    args: [
      `--nofile=${values.nofile}:${values.nofile}`,
      '--',
      process.execPath,
      join(root, 'bin', 'tsfpm'),
      '-y',
      conf,
      '-F',
      '-O',
      '-R',
    ],
    readyPattern: /ready to handle connections/,
    stopSignal: 'SIGQUIT',
  });
  const crowd = new Crowd({ address, kind, connections, script: join(FIXTURE_SCRIPTS, 'read-body.mjs') });
  try {
    const startedAt = Date.now();
    const opening = crowd.start();
    // The good requests start once the crowd is in place (or after 15 s of trying).
    await Promise.race([opening, sleep(15_000)]);
    if (values.log === true) console.log(`crowd of ${crowd.open} open after ${Date.now() - startedAt} ms`);
    const good = await goodTrickle(
      address,
      join(FIXTURE_SCRIPTS, 'hello.mjs'),
      Number(values.good),
      Number(values.seconds),
      5000,
    );
    const held = crowd.open;
    crowd.stop();
    const problems = daemon.problems();
    if (values.log === true) console.log(daemon.tail(40));
    const share = ((100 * good.answered) / good.sent).toFixed(1);
    return [
      `${name}: ${good.answered}/${good.sent} good requests answered (${share} %)`,
      `  crowd: ${connections} wanted, ${held} open at the end, ${crowd.opened} opened, ${crowd.closedByServer} closed by the server, ${crowd.connectFailures} failed connects`,
      `  log: ${problems.count} lines at WARNING or worse${problems.first.length > 0 ? `, first: ${problems.first[0] ?? ''}` : ''}`,
      ...good.failures.slice(0, 3).map((f) => `  failure: ${f}`),
    ].join('\n');
  } finally {
    crowd.stop();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!raiseOwnFileLimit(12_000)) console.log('warning: could not raise this process open-file limit to 12000');
console.log(`daemon: ${root} under prlimit --nofile=${values.nofile}, ${values.children} static children`);
for (const name of chosen) {
  const scenario = SCENARIOS[name];
  if (scenario === undefined) throw new Error(`unknown scenario ${name}`);
  console.log(await run(name, scenario.kind, scenario.connections));
}
process.exit(0);
