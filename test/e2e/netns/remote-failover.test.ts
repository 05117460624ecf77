// Remote FastCGI with failover, Docker-style, in network namespaces the test makes:
//   web (nginx) ── 10.213.1.0/24 ── A (tsfpm, listen 0.0.0.0:9000, allowed_clients = nginx)
//   web (nginx) ── 10.213.2.0/24 ── B (tsfpm, same)
//   B ──────────── 10.213.3.0/24 ── A            (B is a client outside A's list)
// nginx listens on a unix socket (filesystems are shared across network namespaces) so the test,
// in the root namespace, reaches it without any address of its own. Under load A is killed: only
// requests in flight on it may fail and traffic moves to B; A restarts and gets requests again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDaemon, type CleanupScope, type Daemon } from '../../helpers/daemon.js';
import { NetnsLab, netnsSkipReason } from '../../helpers/netns.js';
import { FIXTURE_SCRIPTS, REPO_ROOT } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { findTool } from '../../helpers/tools.js';
import { waitFor, withDeadline } from '../../helpers/wait-for.js';

const NET = '10.213';
const WEB_TO_A = `${NET}.1.1`;
const A_FROM_WEB = `${NET}.1.2`;
const WEB_TO_B = `${NET}.2.1`;
const B_FROM_WEB = `${NET}.2.2`;
const B_TO_A = `${NET}.3.1`;
const A_FROM_B = `${NET}.3.2`;

const TSFPM_CONF = `[global]
error_log = {{LOG}}
pid = {{PID}}
log_level = notice
process_control_timeout = 3s

[www]
listen = 0.0.0.0:9000
listen.allowed_clients = {{ALLOWED}}
pm = static
pm.max_children = 2
security.limit_extensions = .js .mjs
`;

function nginxConf(dir: string, socket: string): string {
  return `daemon off;
master_process on;
worker_processes 1;
user root root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body_temp;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  upstream tsfpm {
    server ${A_FROM_WEB}:9000 max_fails=1 fail_timeout=2s;
    server ${B_FROM_WEB}:9000 max_fails=1 fail_timeout=2s;
  }
  server {
    listen unix:${socket};
    root ${FIXTURE_SCRIPTS};
    location ~ \\.mjs$ {
      fastcgi_pass tsfpm;
      fastcgi_connect_timeout 1s;
      fastcgi_read_timeout 10s;
      fastcgi_param REQUEST_METHOD $request_method;
      fastcgi_param QUERY_STRING $query_string;
      fastcgi_param SCRIPT_NAME $fastcgi_script_name;
      fastcgi_param REQUEST_URI $request_uri;
      fastcgi_param SERVER_PROTOCOL $server_protocol;
      fastcgi_param SERVER_NAME localhost;
      fastcgi_param SERVER_PORT 80;
      fastcgi_param REMOTE_ADDR 127.0.0.1;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    }
  }
}
`;
}

interface Outcome {
  readonly ok: boolean;
  readonly pid: number | undefined;
  readonly atMs: number;
}

/** GET /pid.mjs through nginx's unix socket: which tsfpm child answered, or a failure. */
function getPid(socketPath: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/pid.mjs', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (t: string) => (body += t));
      res.once('end', () =>
        resolve({
          ok: res.statusCode === 200,
          pid: res.statusCode === 200 ? Number(body) : undefined,
          atMs: Date.now(),
        }),
      );
      res.once('error', () => resolve({ ok: false, pid: undefined, atMs: Date.now() }));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve({ ok: false, pid: undefined, atMs: Date.now() }));
    req.end();
  });
}

/** `workers` request loops until stop() or `maxRequests`; every outcome is kept. */
function startLoad(
  socketPath: string,
  workers: number,
  maxRequests: number,
): { outcomes: Outcome[]; stop: () => Promise<void> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running && outcomes.length < maxRequests) outcomes.push(await getPid(socketPath));
  });
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

function startTsfpm(scope: CleanupScope, lab: NetnsLab, ns: string, allowed: string): Promise<Daemon> {
  return startDaemon(scope, {
    config: TSFPM_CONF,
    address: { kind: 'tcp', host: '0.0.0.0', port: 9000 },
    checkAddress: false, // its address exists only inside the namespace
    wrapper: lab.exec(ns),
    vars: { ALLOWED: allowed },
  });
}

/** From namespace `ns`: connect to host:port, send a GET_VALUES record, report how many bytes came back before the close. */
async function probeFromNamespace(lab: NetnsLab, ns: string, host: string, port: number): Promise<string> {
  const script =
    `const s=require('node:net').connect(${port},'${host}');let n=0;` +
    `s.on('connect',()=>s.write(Buffer.from([1,9,0,0,0,0,0,0])));s.on('data',(d)=>n+=d.length);` +
    `s.on('error',(e)=>{console.log('error '+e.code+' after '+n+' bytes');process.exit(0)});s.on('close',()=>console.log('closed after '+n+' bytes'));` +
    `setTimeout(()=>{console.log('still open after '+n+' bytes');process.exit(0)},5000).unref()`;
  const [program = 'ip', ...args] = [...lab.exec(ns), process.execPath, '-e', script];
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (out += t));
  await withDeadline(new Promise((resolve) => child.once('close', resolve)), 10_000, 'the probe client');
  return out.trim();
}

const skip =
  netnsSkipReason() ?? (findTool('nginx') === undefined ? 'nginx is not installed (Debian package nginx)' : undefined);

test(
  'remote tsfpm in two network namespaces behind one nginx upstream: failover, rejoin, allowed_clients',
  { timeout: 60_000, ...(skip === undefined ? {} : { skip }) },
  async (t) => {
    const lab = new NetnsLab(t);
    const web = lab.namespace('web');
    const a = lab.namespace('a');
    const b = lab.namespace('b');
    lab.link(web, `${WEB_TO_A}/24`, a, `${A_FROM_WEB}/24`);
    lab.link(web, `${WEB_TO_B}/24`, b, `${B_FROM_WEB}/24`);
    lab.link(b, `${B_TO_A}/24`, a, `${A_FROM_B}/24`);

    let fpmA = await startTsfpm(t, lab, a, WEB_TO_A);
    const fpmB = await startTsfpm(t, lab, b, WEB_TO_B);

    const dir = makeTempDir('tsfpm-nsweb-');
    t.after(() => dir.remove());
    for (const sub of ['client_body_temp', 'proxy_temp', 'fastcgi_temp', 'uwsgi_temp', 'scgi_temp'])
      mkdirSync(join(dir.path, sub));
    const httpSocket = dir.socketPath('http.sock');
    writeFileSync(join(dir.path, 'nginx.conf'), nginxConf(dir.path, httpSocket));
    const [program = 'ip', ...args] = [
      ...lab.exec(web),
      findTool('nginx') ?? 'nginx',
      '-p',
      `${dir.path}/`,
      '-c',
      join(dir.path, 'nginx.conf'),
      '-e',
      join(dir.path, 'error.log'),
    ];
    const nginx = spawn(program, args, { cwd: REPO_ROOT, stdio: 'ignore' });
    const nginxExited = new Promise((resolve) => nginx.once('exit', resolve));
    t.after(async () => {
      nginx.kill('SIGTERM');
      await withDeadline(nginxExited, 5000, 'nginx to exit').catch(() => nginx.kill('SIGKILL'));
    });

    const childrenOf = (d: Daemon): Set<number> => new Set(d.liveChildren());
    const dump = (): string => fpmA.log.dump() + fpmB.log.dump();
    await waitFor(async () => (await getPid(httpSocket)).ok, {
      timeoutMs: 10_000,
      what: 'nginx in its namespace to answer',
      onTimeout: dump,
    });

    // 1. Both backends serve. The cap only bounds the load generator: it must outlast every wait below
    // (10 + 15 + 15 s at several thousand requests a second). At 20 000 it ran out while nginx was still
    // waiting out A's fail_timeout, and the rejoin wait then saw no more requests at all.
    const load = startLoad(httpSocket, 8, 250_000);
    try {
      await waitFor(
        () => {
          const pids = new Set(load.outcomes.map((o) => o.pid));
          return [...childrenOf(fpmA)].some((p) => pids.has(p)) && [...childrenOf(fpmB)].some((p) => pids.has(p));
        },
        { timeoutMs: 10_000, what: 'requests to reach both A and B', onTimeout: dump },
      );
      assert.equal(load.outcomes.filter((o) => !o.ok).length, 0, 'no failure while both serve');

      // 2. A dies under load (master and children at once): only requests in flight on it may fail.
      const beforeKill = load.outcomes.length;
      const killedAtMs = Date.now();
      process.kill(-fpmA.pid, 'SIGKILL');
      await fpmA.exited;
      await waitFor(() => load.outcomes.length >= beforeKill + 400 && Date.now() - killedAtMs > 1500, {
        timeoutMs: 15_000,
        what: 'load to go on after the kill',
      });
      const afterKill = load.outcomes.slice(beforeKill);
      const failed = afterKill.filter((o) => !o.ok).length;
      assert.ok(failed <= 8, `${failed} requests failed after the kill; at most the 8 in flight may${dump()}`);
      const late = afterKill.filter((o) => o.atMs > killedAtMs + 500);
      const bChildren = childrenOf(fpmB);
      assert.ok(
        late.length > 0 && late.every((o) => o.ok && o.pid !== undefined && bChildren.has(o.pid)),
        `after the kill every answer comes from B${dump()}`,
      );

      // 3. A comes back (same address): once nginx's fail_timeout has passed, requests reach it again.
      const beforeRestart = load.outcomes.length;
      fpmA = await startTsfpm(t, lab, a, WEB_TO_A);
      const aChildren = childrenOf(fpmA);
      await waitFor(() => load.outcomes.slice(beforeRestart).some((o) => o.pid !== undefined && aChildren.has(o.pid)), {
        timeoutMs: 15_000,
        what: 'requests to reach the restarted A',
        onTimeout: dump,
      });
      assert.equal(load.outcomes.slice(beforeRestart).filter((o) => !o.ok).length, 0, 'no failure while A rejoins');
    } finally {
      await load.stop();
    }

    // 4. listen.allowed_clients: B is not on A's list, so A drops its connection unanswered.
    const mark = fpmA.logMark;
    const probe = await probeFromNamespace(lab, b, A_FROM_B, 9000);
    // A closes without reading the record B sent, so B sees a clean close or, when the unread bytes make
    // the kernel answer with a reset, ECONNRESET: either way nothing was answered.
    assert.match(probe, /^(closed|error ECONNRESET) after 0 bytes$/, `B's connection to A was not dropped: ${probe}`);
    await fpmA.expectLog(
      new RegExp(`Connection disallowed: IP address '${B_TO_A.replaceAll('.', '\\.')}' has been dropped`),
      { from: mark, timeoutMs: 5000 },
    );
    const viaNginx = await getPid(httpSocket);
    assert.ok(viaNginx.ok, 'nginx (on the list) is still served');
  },
);
