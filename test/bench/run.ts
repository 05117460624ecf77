// `npm run bench`: nginx static, nginx → php-fpm 8.2 and nginx → tsfpm in one interleaved run, over
// TCP and unix sockets, with and without upstream keepalive, with 2 and 8 children, plus tsfpm's other
// handler modes and fcgiwrap in one group; then the cost figures (RSS, a streamed upload). Prints one table and writes it as JSON and Markdown to test/bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { CONTENDER_LABEL, type Cell, type ContenderKind } from './contenders.js';
import {
  coldStartLine,
  directLine,
  idleLine,
  measureColdStart,
  measureDirect,
  measureIdle,
  measureReloadUnderLoad,
  reloadLine,
  type ColdStart,
  type DirectServe,
  type IdleCost,
  type ReloadUnderLoad,
} from './costs.js';
import { probeEnvironment, type BenchEnvironment } from './environment.js';
import { measureCell, type CellSample } from './measure.js';
import { parseBenchOptions, USAGE, type BenchOptions, type Transport } from './options.js';
import {
  COLUMNS,
  formatMib,
  formatMs,
  mean,
  renderMarkdownTable,
  renderTextTable,
  summarize,
  tableRows,
  type CellSummary,
} from './table.js';
import { installTeardownHandlers, isTearingDown, registerTempDir, teardownAll } from './teardown.js';
import {
  burstLine,
  measureDynamicBurst,
  measurePerUserHost,
  perUserLine,
  type DynamicBurst,
  type PerUserHost,
} from './spawn-costs.js';
import { measureUpload, type UploadResult } from './upload.js';
import { errorCount } from './wrk.js';

const RESULTS_DIR = join(REPO_ROOT, 'test', 'bench', 'results');

interface GroupSpec {
  readonly transport: Transport;
  readonly keepalive: boolean;
  readonly children: number;
}

/** Where the mode rows run: one group is enough to compare modes, and each CGI cell forks a Node per request. */
const MODES_GROUP: GroupSpec = { transport: 'unix', keepalive: false, children: 2 };

const sameGroup = (a: GroupSpec, b: GroupSpec): boolean =>
  a.transport === b.transport && a.keepalive === b.keepalive && a.children === b.children;

/**
 * php-fpm and tsfpm for every children × transport × keepalive group (plus the Express and Apache rows),
 * and the mode rows in MODES_GROUP, which is added when the flags leave it out: the mode rows need
 * php-fpm and fetch-mode tsfpm beside them.
 */
function benchGroups(options: BenchOptions): Cell[][] {
  const specs: GroupSpec[] = [];
  for (const children of options.children) {
    for (const transport of options.transports) {
      for (const keepalive of options.keepalive) specs.push({ transport, keepalive, children });
    }
  }
  if (options.modes && !specs.some((g) => sameGroup(g, MODES_GROUP))) specs.push(MODES_GROUP);
  return specs.map((g) => {
    const modesHere = options.modes && sameGroup(g, MODES_GROUP);
    const kinds: ContenderKind[] = [
      'php-fpm',
      'tsfpm',
      // Express is a handler mode too: the mode group keeps it with --extra-rows=off.
      ...(options.extraRows || modesHere ? (['tsfpm-express'] as const) : []),
      ...(options.extraRows ? (['apache-tsfpm'] as const) : []),
      // fcgiwrap right after tsfpm CGI: the two CGI rows side by side.
      ...(modesHere ? (['tsfpm-threads', 'tsfpm-ts', 'tsfpm-cgi', 'fcgiwrap'] as const) : []),
    ];
    return kinds.map((kind) => ({ kind, ...g }));
  });
}

/** One round's order: the ceiling first, then each group with php-fpm and tsfpm taking turns going first. */
function roundOrder(groups: readonly Cell[][], round: number): Cell[] {
  const order: Cell[] = [{ kind: 'nginx-static' }];
  groups.forEach((group, i) => order.push(...((i + round) % 2 === 0 ? group : [...group].reverse())));
  return order;
}

function describeCell(cell: Cell): string {
  if (cell.kind === 'nginx-static') return CONTENDER_LABEL[cell.kind];
  return `${CONTENDER_LABEL[cell.kind]} ${cell.transport ?? ''} keepalive ${cell.keepalive === true ? 'on' : 'off'} ${cell.children ?? ''} children`;
}

function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  if (process.env['npm_lifecycle_event'] === 'bench') return `npm run bench${args === '' ? '' : ` -- ${args}`}`;
  return `node ${relative(process.cwd(), process.argv[1] ?? 'dist/test/bench/run.js')}${args === '' ? '' : ` ${args}`}`;
}

function gitRevision(): string {
  try {
    const head = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty =
      execFileSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'src'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() !== '';
    return dirty ? `${head} (src/ has uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

function headerLines(env: BenchEnvironment, options: BenchOptions, startedAt: Date, loadAtStart: string): string[] {
  const php =
    env.phpFpm.path === undefined
      ? env.phpFpm.version
      : `${env.phpFpm.version} (OPcache ${env.phpOpcacheArgs.length > 0 ? 'on' : 'off: cannot load it'})`;
  const samples = `${options.rounds} round${options.rounds === 1 ? '' : 's'} (${options.rounds} sample${options.rounds === 1 ? '' : 's'} per cell${options.rounds > 1 ? ', medians shown with the min–max of req/s' : ''})`;
  return [
    `tsfpm bench, ${startedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC, tsfpm ${gitRevision()}`,
    `machine: ${env.cores} cores (nproc), ${env.cpuModel}; load average at start ${loadAtStart}, at end ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
    `software: node ${env.node} · ${env.nginx.version} · ${env.apache.version} · ${php} · ${env.fcgiwrap.version} · ${env.wrk.version}`,
    `command: ${commandLine()}`,
    `load: wrk -t${options.threads} -c${options.connections} -d${options.durationS}s --latency --timeout ${options.timeoutS}s per cell after a ${options.warmupS} s warm-up; ${samples}; cells interleaved, each with a fresh backend and nginx (1 worker); pm static; hello.php vs conf/www/hello.mjs (Express rows: test/bench/www/express-hello.mjs with handler = node${options.modes ? '; threads: hello.mjs with executor = threads; TS: test/bench/www/hello.ts; CGI and fcgiwrap: test/bench/www/hello-cgi.mjs, one node process per request, with handler = cgi and fcgiwrap -c <children>' : ''}); keepalive on = fastcgi_keep_conn on + upstream keepalive 8 (Apache: ProxyPass … enablereuse=on, mpm_event)`,
    'These figures come from a shared 2-core machine where nginx, the FastCGI children and wrk compete for the same cores: they compare only within one run, never across runs or machines.',
  ];
}

function costLines(
  summaries: readonly CellSummary[],
  upload: UploadResult | undefined,
  coldStarts: readonly ColdStart[],
  reloads: readonly ReloadUnderLoad[],
  idles: readonly IdleCost[],
  directs: readonly DirectServe[],
): string[] {
  const lines: string[] = [
    ...coldStarts.map(coldStartLine),
    ...reloads.map(reloadLine),
    ...idles.map(idleLine),
    ...directs.map(directLine),
  ];
  const of = (kind: Cell['kind'], children?: number): CellSummary[] =>
    summaries.filter((s) => s.cell.kind === kind && (children === undefined || s.cell.children === children));
  const avg = (list: readonly CellSummary[], pick: (s: CellSummary) => number | undefined): number | undefined =>
    mean(
      list.flatMap((s) => {
        const v = pick(s);
        return v === undefined ? [] : [v];
      }),
    );
  const childCounts = [...new Set(summaries.flatMap((s) => (s.cell.children === undefined ? [] : [s.cell.children])))];
  lines.push(
    `tsfpm master VmRSS: ${formatMib(avg(of('tsfpm'), (s) => s.masterRssKib))} · php-fpm master: ${formatMib(avg(of('php-fpm'), (s) => s.masterRssKib))}`,
  );
  for (const n of childCounts) {
    lines.push(
      `${n} children: tsfpm child idle after warm-up ${formatMib(avg(of('tsfpm', n), (s) => s.childRssKibAfterWarmup))}, after load ${formatMib(avg(of('tsfpm', n), (s) => s.childRssKib))}` +
        ` · php-fpm child after warm-up ${formatMib(avg(of('php-fpm', n), (s) => s.childRssKibAfterWarmup))}, after load ${formatMib(avg(of('php-fpm', n), (s) => s.childRssKib))}` +
        ` · private (USS) after load: tsfpm child ${formatMib(avg(of('tsfpm', n), (s) => s.childPrivateKib))}, php-fpm child ${formatMib(avg(of('php-fpm', n), (s) => s.childPrivateKib))}`,
    );
  }
  if (upload === undefined) {
    lines.push('upload: skipped (--upload-mib=0)');
  } else if (upload.seconds === undefined) {
    lines.push(`upload of ${upload.mib} MiB: failed: ${upload.failure ?? '?'}`);
  } else {
    lines.push(
      `upload: ${upload.mib} MiB POSTed through nginx (fastcgi_request_buffering off) → tsfpm sha256.mjs over unix in ${upload.seconds.toFixed(1)} s ` +
        `(${(upload.mibPerSec ?? 0).toFixed(0)} MiB/s), sha256 ${upload.verified === true ? 'verified' : `NOT verified: ${upload.failure ?? ''}`}; ` +
        `child VmRSS ${formatMib(upload.baselineRssKib)} → peak ${formatMib(upload.peakRssKib)} (growth ${formatMib(upload.growthKib)}, ${upload.samples ?? 0} samples every 20 ms), ` +
        `VmHWM ${formatMib(upload.hwmBeforeKib)} → ${formatMib(upload.hwmAfterKib)}`,
    );
  }
  return lines;
}

function anomalyLines(samples: readonly CellSample[]): string[] {
  const lines: string[] = [];
  for (const s of samples) {
    const what = `round ${s.round} ${describeCell(s.cell)}`;
    if (s.failure !== undefined) lines.push(`${what}: ${s.failure.replaceAll('\n', '\n    ')}`);
    if (s.wrk !== undefined && errorCount(s.wrk) > 0) lines.push(`${what}: ${errorCount(s.wrk)} wrk errors`);
    for (const e of s.nginxErrors) lines.push(`${what}: nginx: ${e}`);
    if (s.nginxErrorCount > s.nginxErrors.length)
      lines.push(`${what}: nginx: … ${s.nginxErrorCount} error lines in all`);
    for (const p of s.backendProblems) lines.push(`${what}: backend: ${p}`);
    if (s.backendProblemCount > s.backendProblems.length)
      lines.push(`${what}: backend: … ${s.backendProblemCount} warning/error lines in all`);
  }
  return lines;
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  installTeardownHandlers();
  const startedAt = new Date();
  const loadAtStart = loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
  const env = probeEnvironment();
  const workDir = mkdtempSync(join(tmpdir(), 'tsfpm-bench-'));
  registerTempDir(workDir);

  const groups = benchGroups(options);
  const cells: Cell[] = [{ kind: 'nginx-static' }, ...groups.flat()];
  const total = cells.length * options.rounds;
  const samples: CellSample[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const cell of roundOrder(groups, round)) {
      if (isTearingDown()) return;
      process.stderr.write(`[${samples.length + 1}/${total}] round ${round}: ${describeCell(cell)} … `);
      const sample = await measureCell(cell, round, { options, env, workDir });
      samples.push(sample);
      const w = sample.wrk;
      process.stderr.write(
        w === undefined
          ? `failed: ${(sample.failure ?? '?').split('\n')[0] ?? ''}\n`
          : `${Math.round(w.requestsPerSec)} req/s, p50 ${formatMs(w.latencyP50Ms)}, p99 ${formatMs(w.latencyP99Ms)}, errors ${errorCount(w)} (load average ${sample.loadAverage1m.toFixed(2)} before)\n`,
      );
    }
  }

  let upload: UploadResult | undefined;
  if (options.uploadMib > 0 && !isTearingDown()) {
    process.stderr.write(`upload of ${options.uploadMib} MiB through nginx → tsfpm sha256.mjs … `);
    upload = await measureUpload(env, workDir, options.uploadMib);
    process.stderr.write(
      upload.failure === undefined ? `growth ${formatMib(upload.growthKib)}\n` : `failed: ${upload.failure}\n`,
    );
  }

  const coldStarts: ColdStart[] = [];
  const reloads: ReloadUnderLoad[] = [];
  const idles: IdleCost[] = [];
  const directs: DirectServe[] = [];
  if (options.costs) {
    const backends = env.phpFpm.path === undefined ? (['tsfpm'] as const) : (['php-fpm', 'tsfpm'] as const);
    for (const backend of backends) {
      if (isTearingDown()) return;
      process.stderr.write(`cold start (ondemand) ${backend} … `);
      const cold = await measureColdStart(env, workDir, backend);
      coldStarts.push(cold);
      process.stderr.write(`${coldStartLine(cold)}\n`);
      if (options.costs === 'cold') continue;
      process.stderr.write(`reload under load ${backend} … `);
      const reload = await measureReloadUnderLoad(env, workDir, backend);
      reloads.push(reload);
      process.stderr.write(`${reloadLine(reload)}\n`);
      process.stderr.write(`idle ${backend} … `);
      const idle = await measureIdle(env, workDir, backend);
      idles.push(idle);
      process.stderr.write(`${idleLine(idle)}\n`);
    }
    for (const app of options.costs === 'cold' ? [] : (['plain', 'express'] as const)) {
      if (isTearingDown()) return;
      process.stderr.write(`direct ${app} … `);
      const direct = await measureDirect(env, app);
      directs.push(direct);
      process.stderr.write(`${directLine(direct)}\n`);
    }
  }

  const bursts: DynamicBurst[] = [];
  const hosts: PerUserHost[] = [];
  if (options.spawn) {
    const backends = env.phpFpm.path === undefined ? (['tsfpm'] as const) : (['php-fpm', 'tsfpm'] as const);
    for (const backend of backends) {
      if (isTearingDown()) return;
      process.stderr.write(`dynamic burst ${backend} … `);
      const burst = await measureDynamicBurst(env, workDir, backend);
      bursts.push(burst);
      process.stderr.write(`${burstLine(burst)}\n`);
      process.stderr.write(`per-user host ${backend} … `);
      const host = await measurePerUserHost(env, workDir, backend);
      hosts.push(host);
      process.stderr.write(`${perUserLine(host)}\n`);
    }
  }

  const summaries = summarize(cells, samples);
  const header = headerLines(env, options, startedAt, loadAtStart);
  const rows = tableRows(summaries);
  const costs = [
    ...costLines(summaries, upload, coldStarts, reloads, idles, directs),
    ...bursts.map(burstLine),
    ...hosts.map(perUserLine),
  ];
  const anomalies = anomalyLines(samples);

  const text = [
    ...header,
    '',
    renderTextTable(COLUMNS, rows),
    '',
    'cost figures:',
    ...costs.map((l) => `  ${l}`),
    ...(anomalies.length === 0 ? [] : ['', 'anomalies:', ...anomalies.map((l) => `  ${l}`)]),
  ].join('\n');
  const markdown = [
    `## ${header[0] ?? 'tsfpm bench'}`,
    '',
    ...header.slice(1, -1).map((l) => `- ${l}`),
    '',
    `*${header.at(-1) ?? ''}*`,
    '',
    renderMarkdownTable(COLUMNS, rows),
    '',
    '**Cost figures**',
    '',
    ...costs.map((l) => `- ${l}`),
    ...(anomalies.length === 0
      ? []
      : ['', '**Anomalies**', '', ...anomalies.map((l) => `- ${l.replaceAll('\n', ' ')}`)]),
    '',
  ].join('\n');

  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replaceAll(':', '').replace(/\..*/, '');
  const mdPath = join(RESULTS_DIR, `bench-${stamp}.md`);
  const jsonPath = join(RESULTS_DIR, `bench-${stamp}.json`);
  writeFileSync(mdPath, markdown);
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ header, options, environment: env, summaries, samples, upload: upload ?? null, coldStarts, reloads, bursts, hosts }, null, 2)}\n`,
  );
  process.stdout.write(
    `\n${text}\n\nMarkdown: ${relative(process.cwd(), mdPath)}\nJSON: ${relative(process.cwd(), jsonPath)}\n`,
  );
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await teardownAll();
}
