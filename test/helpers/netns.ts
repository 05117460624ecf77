// Network namespaces for remote-FastCGI tests: `ip netns add`, veth pairs between them, private
// addresses that exist only inside the namespaces the test creates. Every namespace is deleted by
// the cleanup (which also removes its veth ends), even when the test fails half-way; names carry
// the test process's pid, so parallel test files never share one.
import { execFileSync } from 'node:child_process';
import type { CleanupScope } from './daemon.js';
import { findTool, isCi } from './tools.js';

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Why netns tests cannot run here, or undefined. Not root, or no `ip`: skipped (also under CI, whose
 * runner may be unprivileged). Root with `ip` but `ip netns add` refused (a container without
 * CAP_SYS_ADMIN): skipped locally, a failure under CI=true.
 */
export function netnsSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (findTool('ip') === undefined) return 'ip is not installed (Debian package iproute2)';
  const probe = `tsfpm-probe-${process.pid}`;
  try {
    ip(['netns', 'add', probe]);
    ip(['netns', 'del', probe]);
    return undefined;
  } catch (err) {
    const reason = `ip netns add failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    if (isCi()) throw new Error(`${reason}; CI=true as root with ip installed, so this is a failure`, { cause: err });
    return reason;
  }
}

export class NetnsLab {
  readonly #id: string;
  readonly #namespaces: string[] = [];
  #links = 0;

  constructor(scope: CleanupScope) {
    // Short: interface names are at most 15 bytes.
    this.#id = `tf${process.pid % 100_000}`;
    scope.after(() => this.removeAll());
  }

  /** Creates a namespace with its loopback up; returns its name. */
  namespace(label: string): string {
    const name = `${this.#id}-${label}`;
    this.#namespaces.push(name); // before the add: a half-made namespace is still removed
    ip(['netns', 'add', name]);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** A veth pair between two namespaces with an address (CIDR form, e.g. 10.213.1.1/24) on each end. */
  link(a: string, aAddress: string, b: string, bAddress: string): void {
    const n = ++this.#links;
    const aEnd = `${this.#id}v${n}a`;
    const bEnd = `${this.#id}v${n}b`;
    ip(['link', 'add', aEnd, 'netns', a, 'type', 'veth', 'peer', 'name', bEnd, 'netns', b]);
    ip(['-n', a, 'addr', 'add', aAddress, 'dev', aEnd]);
    ip(['-n', b, 'addr', 'add', bAddress, 'dev', bEnd]);
    ip(['-n', a, 'link', 'set', aEnd, 'up']);
    ip(['-n', b, 'link', 'set', bEnd, 'up']);
  }

  /** The command prefix that runs a program inside `ns`. */
  exec(ns: string): string[] {
    return ['ip', 'netns', 'exec', ns];
  }

  /** Deletes every namespace made (their veth ends go with them); safe to call twice. */
  removeAll(): void {
    for (const name of this.#namespaces.splice(0).reverse()) {
      try {
        ip(['netns', 'del', name]);
      } catch {
        // already gone
      }
    }
  }
}
