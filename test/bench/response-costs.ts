// `npm run bench:responses`: the response-cost figures alone (`npm run bench` measures them too, see
// responses.ts): tsfpm behind nginx FastCGI against a node:cluster behind nginx proxy_pass, per-request
// CPU of the backend processes for several bodies and pages. Settings come from the environment:
//   BENCH_DURATION (5), BENCH_WARMUP (1), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16), BENCH_CHILDREN (2),
//   BENCH_SCENARIOS (a subset of hello,30k,1m,io,html,express), BENCH_TSFPM_BASE (another checkout's
//   bin/tsfpm, measured as a third contender for a before/after in the same run).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { probeEnvironment } from './environment.js';
import {
  ALL_SCENARIOS,
  RESPONSE_COLUMNS,
  responseNotes,
  responseRows,
  type ResponseSettings,
  type Scenario,
} from './response-figures.js';
import { measureResponseCosts, responseProgressLine } from './responses.js';
import { renderMarkdownTable } from './table.js';
import { installTeardownHandlers, isTearingDown, registerTempDir, runBench } from './teardown.js';

const RESULTS_DIR = join(REPO_ROOT, 'test', 'bench', 'results');

const numberFrom = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

function settingsFromEnv(): ResponseSettings {
  return {
    durationS: numberFrom('BENCH_DURATION', 5),
    warmupS: numberFrom('BENCH_WARMUP', 1),
    rounds: numberFrom('BENCH_ROUNDS', 3),
    connections: numberFrom('BENCH_CONNECTIONS', 16),
    children: numberFrom('BENCH_CHILDREN', 2),
    scenarios: (process.env['BENCH_SCENARIOS'] ?? ALL_SCENARIOS.join(','))
      .split(',')
      .filter((s): s is Scenario => (ALL_SCENARIOS as readonly string[]).includes(s)),
  };
}

async function main(): Promise<void> {
  installTeardownHandlers();
  const env = probeEnvironment();
  if (env.nginx.path === undefined || env.wrk.path === undefined) throw new Error('nginx and wrk are needed');
  const workDir = mkdtempSync(join(tmpdir(), 'tsfpm-response-costs-'));
  registerTempDir(workDir);
  const base = process.env['BENCH_TSFPM_BASE'];
  const result = await measureResponseCosts({
    env,
    workDir,
    settings: settingsFromEnv(),
    ...(base === undefined ? {} : { tsfpmBase: base }),
    progress: (s) => process.stderr.write(`${responseProgressLine(s)}\n`),
    stopped: isTearingDown,
  });
  const markdown = [
    `## Response costs, ${new Date().toISOString()}`,
    '',
    `- machine: ${env.cores} cores, ${env.cpuModel}; ${env.node}, ${env.nginx.version}`,
    ...responseNotes(result).map((l) => `- ${l}`),
    '',
    renderMarkdownTable(RESPONSE_COLUMNS, responseRows(result)),
    '',
  ].join('\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replaceAll(':', '').replace(/\..*/, '');
  const mdPath = join(RESULTS_DIR, `response-costs-${stamp}.md`);
  writeFileSync(mdPath, markdown);
  writeFileSync(mdPath.replace(/\.md$/, '.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\nMarkdown: ${relative(process.cwd(), mdPath)}\n`);
  if (result.failure !== undefined) process.exitCode = 1;
}

await runBench(main);
