// What a child sheds to stay available (connections evicted or refused at the cap, heads and bodies
// cut for their pace, accepts that failed for lack of descriptors), said in one WARNING with counts:
// at once for the first event, then at most once per interval while it goes on. An attack of
// thousands of connections must not write thousands of lines, nor go unmentioned.
import type { LogLevel } from '../config/types.js';
import { childLog } from '../log/child-log.js';

export const SHED_KINDS = {
  fresh: 'that sent nothing',
  head: 'slowest heads',
  idle: 'idle kept',
  'slow-body': 'bodies below request_body_min_rate',
  new: 'just accepted',
} as const;
export type EvictedKind = keyof typeof SHED_KINDS;
export type ShedKind = EvictedKind | 'refused' | 'head-timeout' | 'body-timeout' | 'no-descriptors';

/** At most one line per interval while shedding goes on. */
export const SHED_REPORT_INTERVAL_MS = 5000;

export interface ShedReportOptions {
  readonly poolName: string;
  /** Connections held now, and the cap. */
  readonly held: () => number;
  readonly cap: number;
  readonly headTimeoutMs: number;
  readonly log?: (level: LogLevel, message: string) => void;
  readonly now?: () => number;
  readonly intervalMs?: number;
}

export class ShedReport {
  readonly #options: ShedReportOptions;
  readonly #counts = new Map<ShedKind, number>();
  #lastLineMs = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  /** Extra words for the next line (the descriptor figures when accept failed). */
  #note = '';

  constructor(options: ShedReportOptions) {
    this.#options = options;
  }

  count(kind: ShedKind, note?: string): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
    if (note !== undefined) this.#note = note;
    const now = (this.#options.now ?? Date.now)();
    const interval = this.#options.intervalMs ?? SHED_REPORT_INTERVAL_MS;
    if (now - this.#lastLineMs >= interval) {
      this.flush();
      return;
    }
    this.#timer ??= setTimeout(() => this.flush(), this.#lastLineMs + interval - now).unref();
  }

  /** Writes the pending counts now (nothing when there are none). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#counts.size === 0) return;
    this.#lastLineMs = (this.#options.now ?? Date.now)();
    const line = this.#line();
    this.#counts.clear();
    this.#note = '';
    (this.#options.log ?? childLog)('warning', line);
  }

  #line(): string {
    const o = this.#options;
    const n = (kind: ShedKind): number => this.#counts.get(kind) ?? 0;
    const parts: string[] = [];
    const evictedKinds = (Object.keys(SHED_KINDS) as EvictedKind[]).filter((kind) => n(kind) > 0);
    const evicted = evictedKinds.reduce((sum, kind) => sum + n(kind), 0);
    if (evicted > 0) {
      const which = evictedKinds.map((kind) => `${n(kind)} ${SHED_KINDS[kind]}`).join(', ');
      parts.push(`${evicted} connections evicted to make room (${which})`);
    }
    if (n('refused') > 0) parts.push(`${n('refused')} new connections refused (every connection busy)`);
    if (n('head-timeout') > 0)
      parts.push(`${n('head-timeout')} heads cut at request_head_timeout (${o.headTimeoutMs} ms)`);
    if (n('body-timeout') > 0) parts.push(`${n('body-timeout')} bodies cut below request_body_min_rate`);
    if (n('no-descriptors') > 0) parts.push(`${n('no-descriptors')} times out of file descriptors${this.#note}`);
    return (
      `[pool ${o.poolName}] child ${process.pid} shedding connections (${o.held()} held, fastcgi.max_connections ${o.cap}): ` +
      parts.join('; ')
    );
  }
}
