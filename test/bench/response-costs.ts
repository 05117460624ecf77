// The response-cost bench (`npm run bench:responses`): what a backend process spends per request,
// user and system CPU apart, for small, 30 KB and 1 MiB bodies, an I/O-bound page, a rendered HTML
// page and an Express hello, with nginx in front of each contender:
//   tsfpm       nginx → FastCGI (fastcgi_keep_conn, upstream keepalive) → tsfpm, pm static
//   node        nginx → proxy_pass (HTTP/1.1, upstream keepalive) → a node:cluster of http.Servers
//   tsfpm base  optional (BENCH_TSFPM_BASE=/path/to/other/checkout/bin/tsfpm): another tsfpm build,
//               for a before/after of a change in the same run
// All contenders run test/bench/www/pages.mjs (and pages-express.mjs): the same code behind each.
// Samples are interleaved (A, B, A, B, the order turning each round); the table shows medians and the
// spread. The CPU is read from /proc/<pid>/stat of the pool's children or the cluster's workers only
// (not nginx, not wrk, not the masters), in clock ticks (10 ms): a sample needs thousands of requests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { getFreePort } from '../helpers/free-port.js';
import { REPO_ROOT, TSFPM_BIN } from '../helpers/paths.js';
import { cpuTimesOf, kernelChildrenOf } from '../helpers/proc.js';
import { Daemon } from './daemon.js';
import { probeEnvironment } from './environment.js';
import { waitForHttp } from './net.js';
import { installTeardownHandlers, registerTempDir, teardownAll } from './teardown.js';
import { errorCount, runWrk } from './wrk.js';

const WWW = join(REPO_ROOT, 'test', 'bench', 'www');
const RESULTS_DIR = join(REPO_ROOT, 'test', 'bench', 'results');
const READY = /ready to handle connections/;

const numberFrom = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const DURATION_S = numberFrom('BENCH_DURATION', 5);
const WARMUP_S = numberFrom('BENCH_WARMUP', 1);
const ROUNDS = numberFrom('BENCH_ROUNDS', 3);
const CONNECTIONS = numberFrom('BENCH_CONNECTIONS', 16);
const CHILDREN = numberFrom('BENCH_CHILDREN', 2);
const ALL_SCENARIOS = ['hello', '30k', '1m', 'io', 'html', 'express'] as const;
type Scenario = (typeof ALL_SCENARIOS)[number];
const SCENARIOS = (process.env['BENCH_SCENARIOS'] ?? ALL_SCENARIOS.join(','))
  .split(',')
  .filter((s): s is Scenario => (ALL_SCENARIOS as readonly string[]).includes(s));

interface Contender {
  readonly name: string;
  /** The URL path prefix nginx routes to it. */
  readonly prefix: string;
  /** The processes whose CPU counts: pool children or cluster workers. */
  readonly pids: () => number[];
}

interface Sample {
  readonly scenario: Scenario;
  readonly contender: string;
  readonly requests: number;
  readonly requestsPerSec: number;
  readonly userUs: number;
  readonly systemUs: number;
  readonly errors: number;
}

function tsfpmConfig(dir: string, name: string): string {
  return [
    '; Written by tsfpm test/bench/response-costs.ts.',
    '[global]',
    `pid = ${dir}/${name}.pid`,
    `error_log = ${dir}/${name}.log`,
    '',
    '[pages]',
    `listen = ${dir}/${name}-pages.sock`,
    'pm = static',
    `pm.max_children = ${CHILDREN}`,
    '',
    '[express]',
    `listen = ${dir}/${name}-express.sock`,
    'pm = static',
    `pm.max_children = ${CHILDREN}`,
    'handler = node',
    '',
  ].join('\n');
}

async function startTsfpm(dir: string, name: string, bin: string): Promise<Daemon> {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, tsfpmConfig(dir, name));
  return Daemon.start({
    name,
    command: process.execPath,
    args: [bin, '-y', conf, '-F', '-O', ...(process.getuid?.() === 0 ? ['-R'] : [])],
    readyPattern: READY,
    readyTimeoutMs: 30_000,
    stopSignal: 'SIGQUIT',
  });
}

function fastcgiLocations(prefix: string, name: string): string[] {
  const params = [
    'fastcgi_keep_conn on;',
    'fastcgi_param REQUEST_METHOD $request_method;',
    'fastcgi_param QUERY_STRING $query_string;',
    'fastcgi_param CONTENT_TYPE $content_type;',
    'fastcgi_param CONTENT_LENGTH $content_length;',
    'fastcgi_param SCRIPT_NAME $fastcgi_script_name;',
    'fastcgi_param REQUEST_URI $request_uri;',
    'fastcgi_param DOCUMENT_URI $document_uri;',
    'fastcgi_param DOCUMENT_ROOT $document_root;',
    'fastcgi_param SERVER_PROTOCOL $server_protocol;',
    'fastcgi_param REQUEST_SCHEME $scheme;',
    'fastcgi_param GATEWAY_INTERFACE CGI/1.1;',
    'fastcgi_param SERVER_SOFTWARE nginx/$nginx_version;',
    'fastcgi_param REMOTE_ADDR $remote_addr;',
    'fastcgi_param REMOTE_PORT $remote_port;',
    'fastcgi_param SERVER_ADDR $server_addr;',
    'fastcgi_param SERVER_PORT $server_port;',
    'fastcgi_param SERVER_NAME $server_name;',
    'fastcgi_param REDIRECT_STATUS 200;',
  ];
  return [
    `    location ${prefix}/express/ {`,
    `      fastcgi_pass ${name}_express;`,
    ...params.map((p) => `      ${p}`),
    `      fastcgi_param SCRIPT_FILENAME ${join(WWW, 'pages-express.mjs')};`,
    '    }',
    `    location ${prefix}/ {`,
    `      fastcgi_pass ${name}_pages;`,
    ...params.map((p) => `      ${p}`),
    `      fastcgi_param SCRIPT_FILENAME ${join(WWW, 'pages-fetch.mjs')};`,
    '    }',
  ];
}

function nginxConfig(dir: string, port: number, httpPort: number, tsfpms: readonly string[]): string {
  const upstreams = tsfpms.flatMap((name) =>
    ['pages', 'express'].flatMap((pool) => [
      `  upstream ${name}_${pool} { server unix:${dir}/${name}-${pool}.sock; keepalive 8; }`,
    ]),
  );
  return [
    '# Written by tsfpm test/bench/response-costs.ts.',
    'daemon off;',
    'worker_processes 1;',
    ...(process.getuid?.() === 0 ? ['user root root;'] : []),
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/nginx-error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    // Large answers are passed on as they come, not written to nginx's temp files, on both sides.
    '  fastcgi_max_temp_file_size 0;',
    '  proxy_max_temp_file_size 0;',
    `  client_body_temp_path ${dir}/tmp/client_body;`,
    `  proxy_temp_path ${dir}/tmp/proxy;`,
    `  fastcgi_temp_path ${dir}/tmp/fastcgi;`,
    `  uwsgi_temp_path ${dir}/tmp/uwsgi;`,
    `  scgi_temp_path ${dir}/tmp/scgi;`,
    ...upstreams,
    `  upstream node_cluster { server 127.0.0.1:${httpPort}; keepalive 8; }`,
    '  server {',
    `    listen 127.0.0.1:${port};`,
    `    root ${dir};`,
    ...tsfpms.flatMap((name) => fastcgiLocations(`/${name}`, name)),
    '    location /h/ {',
    '      proxy_pass http://node_cluster;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const spread = (values: readonly number[]): string =>
  `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

async function measure(baseUrl: string, wrkBin: string, scenario: Scenario, c: Contender): Promise<Sample> {
  const url = `${baseUrl}${c.prefix}/${scenario === 'express' ? 'express/hello' : scenario}`;
  const run = { bin: wrkBin, url, threads: 1, connections: CONNECTIONS, timeoutS: 10 };
  await runWrk({ ...run, durationS: WARMUP_S });
  const pids = c.pids();
  const before = cpuTimesOf(pids);
  const wrk = await runWrk({ ...run, durationS: DURATION_S });
  const after = cpuTimesOf(pids);
  const requests = Math.max(1, wrk.requests);
  return {
    scenario,
    contender: c.name,
    requests: wrk.requests,
    requestsPerSec: wrk.requestsPerSec,
    userUs: (after.userUs - before.userUs) / requests,
    systemUs: (after.systemUs - before.systemUs) / requests,
    errors: errorCount(wrk),
  };
}

async function main(): Promise<void> {
  installTeardownHandlers();
  const env = probeEnvironment();
  if (env.nginx.path === undefined || env.wrk.path === undefined) throw new Error('nginx and wrk are needed');
  const dir = mkdtempSync(join(tmpdir(), 'tsfpm-response-costs-'));
  registerTempDir(dir);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const loadAtStart = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

  const base = process.env['BENCH_TSFPM_BASE'];
  const tsfpm = await startTsfpm(dir, 't', TSFPM_BIN);
  const baseTsfpm = base === undefined ? undefined : await startTsfpm(dir, 'b', base);
  const httpPort = await getFreePort();
  const cluster = await Daemon.start({
    name: 'node-cluster',
    command: process.execPath,
    args: [join(WWW, 'pages-http.mjs'), String(httpPort), String(CHILDREN)],
    readyPattern: /listening/,
    stopSignal: 'SIGTERM',
    reapDescendants: true,
  });
  const port = await getFreePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, port, httpPort, baseTsfpm === undefined ? ['t'] : ['t', 'b']));
  const nginx = await Daemon.start({
    name: 'nginx',
    command: env.nginx.path,
    args: ['-p', dir, '-c', conf, '-e', join(dir, 'nginx-error.log')],
    stopSignal: 'SIGQUIT',
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (const prefix of ['/t', '/h', ...(baseTsfpm === undefined ? [] : ['/b'])]) {
    await waitForHttp(`${baseUrl}${prefix}/hello`, 15_000);
    await waitForHttp(`${baseUrl}${prefix}/express/hello`, 15_000);
  }

  const contenders: Contender[] = [
    { name: 'tsfpm', prefix: '/t', pids: () => kernelChildrenOf(tsfpm.pid) },
    { name: 'node:cluster', prefix: '/h', pids: () => kernelChildrenOf(cluster.pid) },
    ...(baseTsfpm === undefined
      ? []
      : [{ name: 'tsfpm base', prefix: '/b', pids: () => kernelChildrenOf(baseTsfpm.pid) }]),
  ];
  const samples: Sample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const scenario of SCENARIOS) {
      // The order turns each round, so no contender always runs first (or right after another's load).
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length] as Contender);
      for (const contender of order) {
        const sample = await measure(baseUrl, env.wrk.path, scenario, contender);
        samples.push(sample);
        process.stderr.write(
          `round ${round + 1} ${scenario} ${contender.name}: ${sample.requestsPerSec.toFixed(0)} req/s, user ${sample.userUs.toFixed(1)} µs, system ${sample.systemUs.toFixed(1)} µs, ${sample.errors} errors\n`,
        );
      }
    }
  }
  for (const daemon of [nginx, tsfpm, cluster, ...(baseTsfpm === undefined ? [] : [baseTsfpm])]) {
    const problems = daemon.problems();
    if (problems.count > 0)
      process.stderr.write(`${daemon.name}: ${problems.count} problem lines: ${problems.first.join(' | ')}\n`);
  }

  const rows: string[] = [
    '| scenario | contender | req/s | user µs/req | system µs/req | total µs/req | errors |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  const totals = new Map<string, number>();
  for (const scenario of SCENARIOS) {
    for (const c of contenders) {
      const mine = samples.filter((s) => s.scenario === scenario && s.contender === c.name);
      const user = mine.map((s) => s.userUs);
      const system = mine.map((s) => s.systemUs);
      const total = mine.map((s) => s.userUs + s.systemUs);
      totals.set(`${scenario}/${c.name}`, median(total));
      rows.push(
        `| ${scenario} | ${c.name} | ${median(mine.map((s) => s.requestsPerSec)).toFixed(0)} | ${median(user).toFixed(1)} (${spread(user)}) | ${median(system).toFixed(1)} (${spread(system)}) | ${median(total).toFixed(1)} (${spread(total)}) | ${mine.reduce((n, s) => n + s.errors, 0)} |`,
      );
    }
  }
  const extras = contenders.flatMap((c) =>
    (['30k', '1m'] as const)
      .filter((s) => SCENARIOS.includes(s) && SCENARIOS.includes('hello'))
      .map((s) => {
        const extra = (totals.get(`${s}/${c.name}`) ?? NaN) - (totals.get(`hello/${c.name}`) ?? NaN);
        return `- ${c.name}: ${s} costs ${extra.toFixed(1)} µs of CPU more than hello (medians)`;
      }),
  );
  const header = [
    `## Response costs, ${new Date().toISOString()}`,
    '',
    `- machine: ${env.cores} cores, ${env.cpuModel}; load average at start ${loadAtStart}, at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${env.node}, ${env.nginx.version}`,
    `- wrk -t1 -c${CONNECTIONS} -d${DURATION_S}s per sample after a ${WARMUP_S} s warm-up, ${ROUNDS} rounds, contenders interleaved (order turning each round); ${CHILDREN} children / cluster workers; medians (min–max over the rounds)`,
    '- CPU of the pool children or cluster workers only, from /proc/<pid>/stat (10 ms ticks)',
    '',
  ];
  const markdown = [...header, ...rows, '', ...extras, ''].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replaceAll(':', '').replace(/\..*/, '');
  const mdPath = join(RESULTS_DIR, `response-costs-${stamp}.md`);
  writeFileSync(mdPath, markdown);
  writeFileSync(mdPath.replace(/\.md$/, '.json'), `${JSON.stringify({ samples }, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\nMarkdown: ${relative(process.cwd(), mdPath)}\n`);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await teardownAll();
}
