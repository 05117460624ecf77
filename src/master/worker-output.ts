// catch_workers_output: what a child writes on stdout/stderr becomes error-log lines, decorated and
// wrapped at log_limit as php-fpm does (sapi/fpm/fpm/fpm_stdio.c fpm_stdio_child_said()), or raw with
// decorate_workers_output = no.
import type { PoolConfig } from '../config/types.js';
import type { ErrorLog } from '../log/error-log.js';
import { decoratedWorkerLines, plainWorkerLines } from '../log/worker-output.js';
import type { Child } from './child.js';
import { readLines } from './line-reader.js';

export function captureWorkerOutput(child: Child, pool: PoolConfig, log: ErrorLog): void {
  const write = (stream: 'stdout' | 'stderr', line: string, suffix: string): void => {
    if (!pool.decorateWorkersOutput) {
      for (const piece of plainWorkerLines(line, log.limit)) log.raw(piece);
      return;
    }
    for (const message of decoratedWorkerLines(pool.name, child.pid, stream, line, suffix, log.limit))
      log.warning(message);
  };
  for (const [name, stream] of [
    ['stdout', child.process.stdout],
    ['stderr', child.process.stderr],
  ] as const) {
    if (stream === null) continue;
    readLines(
      stream,
      (line) => write(name, line, ''),
      (partial) => write(name, partial, ', pipe is closed'),
    );
  }
}
