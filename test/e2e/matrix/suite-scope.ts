// A CleanupScope for a whole describe(): the helpers register their stops here, and the suite's after()
// hook runs them newest first, so one daemon and one web server serve every test of a suite.
import type { CleanupScope } from '../../helpers/daemon.js';
import { findTool, isCi, type SkipScope } from '../../helpers/tools.js';

/**
 * Why a suite needing `tool` is skipped: undefined when it is installed, or under CI=true (where
 * .ci/run installs it, so the suite runs and fails on the missing tool).
 */
export function missingToolReason(tool: string, debianPackage: string): string | undefined {
  if (findTool(tool) !== undefined || isCi()) return undefined;
  return `${tool} is not installed (Debian package ${debianPackage})`;
}

export class SuiteScope implements CleanupScope, SkipScope {
  readonly #cleanups: (() => unknown)[] = [];

  after(fn: () => unknown): void {
    this.#cleanups.push(fn);
  }

  /** Suites decide on skipping before they start (missingToolReason): a skip asked later is a failure. */
  skip(message?: string): void {
    throw new Error(`cannot skip a started suite: ${message ?? 'no reason given'}`);
  }

  /** Runs every cleanup (newest first) even when one throws; rethrows the first failure. */
  async runAll(): Promise<void> {
    let first: unknown;
    for (const fn of this.#cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined)
      throw first instanceof Error ? first : new Error(`cleanup failed: ${JSON.stringify(first)}`);
  }
}
