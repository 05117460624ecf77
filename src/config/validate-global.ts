// [global] checks of fpm_conf_post_process, in its order, with php-fpm's texts (no pool frame).
import type { SectionDraft } from './collect.js';
import type { MessageSink } from './messages.js';
import { logPathProblem } from './log-path-check.js';
import type { GlobalConfig } from './types.js';

/** php-fpm's ZLOG_MIN_LIMIT. */
export const LOG_LIMIT_MIN = 512;

export function checkGlobal(g: GlobalConfig, section: SectionDraft, sink: MessageSink): void {
  const report = (text: string, directive: string, expected: string): void => {
    const set = section.settings.get(directive);
    if (set) {
      sink.add(
        'error',
        `${text} (at ${set.file}:${set.line}: ${directive} = "${set.raw}", expected ${expected})`,
        set,
        'TSFPM_ERR_CONF_INVALID',
      );
    } else {
      sink.add('error', text, undefined, 'TSFPM_ERR_CONF_INVALID');
    }
  };
  if (!section.broken.has('log_limit') && g.logLimit < LOG_LIMIT_MIN) {
    report(`log_limit must be greater than ${LOG_LIMIT_MIN}`, 'log_limit', `an integer >= ${LOG_LIMIT_MIN}`);
  }
  if (!section.broken.has('process.max') && g.processMax < 0) {
    report("process_max can't be negative", 'process.max', 'an integer >= 0 (0 = no limit)');
  }
  const prio = g.processPriority;
  if (prio !== undefined && (prio < -19 || prio > 20)) {
    report('process.priority must be included into [-19,20]', 'process.priority', 'an integer between -19 and 20');
  }
  // The master opens it at start (and cannot report anything without it): checked at start too.
  const logProblem =
    g.errorLog === 'syslog' || section.broken.has('error_log') ? undefined : logPathProblem(g.errorLog);
  if (logProblem !== undefined)
    report(
      `cannot open error_log '${g.errorLog}': ${logProblem}`,
      'error_log',
      'a path the daemon can create and write',
    );
}
