// External programs the e2e tests need (nginx, cgi-fcgi). Locally a missing tool skips the test with
// a reason; under CI=true (where .ci/run installs them) a missing tool is a failure.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

export function findTool(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const isCi = (): boolean => process.env['CI'] === 'true';

export interface SkipScope {
  skip(message?: string): void;
}

/**
 * The tool's path; or, when missing: throws under CI, else marks the test skipped and returns
 * undefined (the caller returns at once).
 */
export function requireTool(t: SkipScope, name: string, debianPackage: string): string | undefined {
  const path = findTool(name);
  if (path !== undefined) return path;
  const reason = `${name} is not installed (Debian package ${debianPackage})`;
  if (isCi()) throw new Error(`${reason}; CI=true, where .ci/run installs it, so this is a failure`);
  t.skip(reason);
  return undefined;
}
