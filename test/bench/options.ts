// Command-line flags and BENCH_* environment variables of `npm run bench`.
import { parseArgs } from 'node:util';

export type Transport = 'tcp' | 'unix';

export interface BenchOptions {
  readonly quick: boolean;
  /** Measured wrk run per cell. */
  readonly durationS: number;
  /** Unmeasured wrk run per cell before the measured one. */
  readonly warmupS: number;
  readonly rounds: number;
  readonly connections: number;
  readonly threads: number;
  /** wrk --timeout: a slower answer counts as a timeout error and leaves the latency figures. */
  readonly timeoutS: number;
  readonly children: readonly number[];
  readonly transports: readonly Transport[];
  readonly keepalive: readonly boolean[];
  /** Size of the upload streamed through nginx → tsfpm sha256.mjs; 0 skips it. */
  readonly uploadMib: number;
  /** Also measure nginx → tsfpm Express (handler = node) and Apache → tsfpm in every group. */
  readonly extraRows: boolean;
  /**
   * Also measure tsfpm's other handler modes (threads, TS, CGI) and fcgiwrap, in one group only (unix
   * socket, no keepalive, 2 children): CGI cells are slow, and one group is enough to compare the modes.
   */
  readonly modes: boolean;
  /** Measure ondemand cold start and failures during a reload under load ('cold': the cold start alone). */
  readonly costs: boolean | 'cold';
  /** Measure a dynamic pool's burst and the per-user host of 20 ondemand pools (test/bench/spawn-costs.ts). */
  readonly spawn: boolean;
  /**
   * Measure the response costs (responses.ts): tsfpm behind nginx FastCGI against a node:cluster behind
   * nginx proxy_pass, per-request CPU for several bodies and pages, in rounds of their own.
   */
  readonly responses: boolean;
  readonly responseRounds: number;
  readonly responseDurationS: number;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [flags]     (or: node dist/test/bench/run.js [flags])

  --quick              short runs: 3 s per cell, 1 s warm-up, 256 MiB upload
  --duration=S         measured seconds per cell          (env BENCH_DURATION, default 10)
  --warmup=S           warm-up seconds per cell           (env BENCH_WARMUP, default 2)
  --rounds=N           interleaved rounds; medians shown  (env BENCH_ROUNDS, default 1)
  --connections=N      wrk -c                             (default 32)
  --threads=N          wrk -t                             (default 1)
  --timeout=S          wrk --timeout                      (default 10)
  --children=2,8       pm.max_children values             (default 2,8)
  --transports=tcp,unix                                   (default both)
  --keepalive=off,on   upstream keepalive modes           (default both)
  --upload-mib=N       upload through nginx → sha256.mjs, 0 = skip
                                                          (env BENCH_UPLOAD_MIB, default 1024, quick 256)
  --extra-rows=on|off  nginx → tsfpm Express and Apache → tsfpm rows (default on)
  --modes=on|off       tsfpm threads, TS, CGI and fcgiwrap rows (default on), in one group only:
                       unix, keepalive off, 2 children (added if the flags above leave it out)
  --costs=on|off|cold  cold start, reload under load, idle cost, direct app (default on); cold: the
                       cold start alone
  --spawn=on|off       dynamic burst 1 → 8 children, 20 ondemand pools one user each (default on)
  --responses=on|off   response costs: tsfpm behind nginx FastCGI vs a node:cluster behind nginx
                       proxy_pass, hello / 30k / 1m / io / html / express, CPU per request of the
                       backend processes (default on)
  --response-rounds=N  interleaved rounds of the response costs (default 3)
  --response-duration=S  measured seconds per response sample, after 1 s of warm-up
                                                          (default 5, quick 2)
  --help

Binaries are looked up on PATH and in /usr/sbin; override with NGINX_BIN, APACHE_BIN, PHP_FPM_BIN,
FCGIWRAP_BIN, WRK_BIN.`;

function positiveNumber(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name}: expected a ${allowZero ? 'non-negative' : 'positive'} number, got '${text}'`);
  }
  return value;
}

function integerList(name: string, text: string | undefined, fallback: readonly number[]): readonly number[] {
  if (text === undefined) return fallback;
  const values = text.split(',').map((part) => positiveNumber(name, part.trim(), 0));
  if (values.some((v) => !Number.isInteger(v))) throw new Error(`${name}: expected integers, got '${text}'`);
  return values;
}

function transportList(text: string | undefined): readonly Transport[] {
  if (text === undefined) return ['tcp', 'unix'];
  return text.split(',').map((part): Transport => {
    const t = part.trim();
    if (t === 'tcp' || t === 'unix') return t;
    throw new Error(`--transports: expected tcp and/or unix, got '${t}'`);
  });
}

function keepaliveList(text: string | undefined): readonly boolean[] {
  if (text === undefined) return [false, true];
  return text.split(',').map((part) => {
    const t = part.trim();
    if (t === 'off' || t === 'no') return false;
    if (t === 'on' || t === 'yes') return true;
    throw new Error(`--keepalive: expected off and/or on, got '${t}'`);
  });
}

function onOff(name: string, text: string | undefined, fallback: boolean): boolean {
  if (text === undefined) return fallback;
  if (text === 'on' || text === 'yes') return true;
  if (text === 'off' || text === 'no') return false;
  throw new Error(`${name}: expected on or off, got '${text}'`);
}

export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      timeout: { type: 'string' },
      children: { type: 'string' },
      transports: { type: 'string' },
      keepalive: { type: 'string' },
      'upload-mib': { type: 'string' },
      'extra-rows': { type: 'string' },
      modes: { type: 'string' },
      costs: { type: 'string' },
      spawn: { type: 'string' },
      responses: { type: 'string' },
      'response-rounds': { type: 'string' },
      'response-duration': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true || env['BENCH_QUICK'] === '1';
  const rounds = positiveNumber('--rounds', values.rounds ?? env['BENCH_ROUNDS'], 1);
  const connections = positiveNumber('--connections', values.connections, 32);
  const threads = positiveNumber('--threads', values.threads, 1);
  const responseRounds = positiveNumber('--response-rounds', values['response-rounds'], 3);
  const responseDurationS = positiveNumber('--response-duration', values['response-duration'], quick ? 2 : 5);
  const uploadMib = positiveNumber(
    '--upload-mib',
    values['upload-mib'] ?? env['BENCH_UPLOAD_MIB'],
    quick ? 256 : 1024,
    true,
  );
  for (const [name, v] of [
    ['--rounds', rounds],
    ['--connections', connections],
    ['--threads', threads],
    ['--upload-mib', uploadMib],
    ['--response-rounds', responseRounds],
    // wrk takes whole seconds.
    ['--response-duration', responseDurationS],
  ] as const) {
    if (!Number.isInteger(v)) throw new Error(`${name}: expected an integer, got ${v}`);
  }
  return {
    quick,
    durationS: positiveNumber('--duration', values.duration ?? env['BENCH_DURATION'], quick ? 3 : 10),
    warmupS: positiveNumber('--warmup', values.warmup ?? env['BENCH_WARMUP'], quick ? 1 : 2, true),
    rounds,
    connections,
    threads,
    timeoutS: positiveNumber('--timeout', values.timeout, 10),
    children: integerList('--children', values.children, [2, 8]),
    transports: transportList(values.transports),
    keepalive: keepaliveList(values.keepalive),
    uploadMib,
    extraRows: onOff('--extra-rows', values['extra-rows'], true),
    modes: onOff('--modes', values.modes, true),
    costs: values.costs === 'cold' ? 'cold' : onOff('--costs', values.costs, true),
    spawn: onOff('--spawn', values.spawn, true),
    responses: onOff('--responses', values.responses, true),
    responseRounds,
    responseDurationS,
    help: values.help === true,
  };
}
