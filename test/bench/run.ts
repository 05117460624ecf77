// `npm run bench`: nginx static, nginx → php-fpm 8.2 and nginx → tsfpm in one interleaved run, over
// TCP and unix sockets, with and without upstream keepalive, with 2 and 8 children, plus tsfpm's other
// handler modes and fcgiwrap in one group; then the cost figures (RSS, a streamed upload, cold start,
// spawning), the response costs against a node:cluster, and the targets block. Prints it all and writes
// it as JSON and Markdown to test/bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import type { Cell, ContenderKind } from './contenders.js';
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
import { measureNodeFloor } from './node-floor.js';
import { parseBenchOptions, USAGE, type BenchOptions, type Transport } from './options.js';
import { anomalyLines, costLines, describeCell, renderMarkdown, renderText } from './report.js';
import { ALL_SCENARIOS, type ResponseCosts } from './response-figures.js';
import { measureResponseCosts, responseProgressLine } from './responses.js';
import { formatMib, formatMs, summarize, tableRows } from './table.js';
import { targetLines, targetSummaryLines, type NodeFloor, type TargetInput } from './targets.js';
import { installTeardownHandlers, isTearingDown, registerTempDir, runBench } from './teardown.js';
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

  let responses: ResponseCosts | undefined;
  if (options.responses) {
    if (isTearingDown()) return;
    process.stderr.write('response costs: tsfpm behind nginx FastCGI vs a node:cluster behind nginx proxy_pass\n');
    responses = await measureResponseCosts({
      env,
      workDir,
      settings: {
        durationS: options.responseDurationS,
        warmupS: 1,
        rounds: options.responseRounds,
        connections: 16,
        children: 2,
        scenarios: ALL_SCENARIOS,
      },
      progress: (s) => process.stderr.write(`  ${responseProgressLine(s)}\n`),
      stopped: isTearingDown,
    });
    if (responses.failure !== undefined) process.stderr.write(`  failed: ${responses.failure}\n`);
  }

  let floor: NodeFloor | undefined;
  let floorFailure: string | undefined;
  try {
    floor = await measureNodeFloor();
  } catch (err) {
    floorFailure = `failed: ${err instanceof Error ? err.message : String(err)}`;
  }

  const summaries = summarize(cells, samples);
  const targetInput: TargetInput = {
    samples,
    summaries,
    coldStarts,
    hosts,
    ...(responses === undefined ? {} : { responses }),
    ...(floor === undefined ? {} : { floor }),
    skipped: {
      ...(options.costs === false ? { costs: '--costs=off' } : {}),
      ...(options.spawn ? {} : { spawn: '--spawn=off' }),
      ...(options.responses ? {} : { responses: '--responses=off' }),
      ...(env.phpFpm.path === undefined ? { phpFpm: env.phpFpm.version } : {}),
      ...(floorFailure === undefined ? {} : { floor: floorFailure }),
    },
  };
  const targets = targetLines(targetInput);
  const parts = {
    header: headerLines(env, options, startedAt, loadAtStart),
    rows: tableRows(summaries),
    costs: [
      ...costLines(summaries, upload, coldStarts, reloads, idles, directs),
      ...bursts.map(burstLine),
      ...hosts.map(perUserLine),
    ],
    ...(responses === undefined ? {} : { responses }),
    anomalies: anomalyLines(samples),
    targets,
    targetNotes: targetSummaryLines(targets, targetInput),
  };
  const text = renderText(parts);
  const markdown = renderMarkdown(parts);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replaceAll(':', '').replace(/\..*/, '');
  const mdPath = join(RESULTS_DIR, `bench-${stamp}.md`);
  const jsonPath = join(RESULTS_DIR, `bench-${stamp}.json`);
  writeFileSync(mdPath, markdown);
  writeFileSync(
    jsonPath,
    `${JSON.stringify(
      {
        header: parts.header,
        options,
        environment: env,
        summaries,
        samples,
        upload: upload ?? null,
        coldStarts,
        reloads,
        bursts,
        hosts,
        responses: responses ?? null,
        floor: floor ?? null,
        targets,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(
    `\n${text}\n\nMarkdown: ${relative(process.cwd(), mdPath)}\nJSON: ${relative(process.cwd(), jsonPath)}\n`,
  );
}

await runBench(main);
