// What happens when a served script changes on disk. ES modules cannot be unloaded, so the child
// that notices a new mtime (resolve-script.ts revalidates every 2 s) retires: it tells the master,
// finishes what it is serving and exits; the master starts a fresh child. Until it is gone, the
// retiring child serves the new version through a versioned import (module-loader.ts), so no request
// after the change sees the old code once the 2 s revalidation has passed.

/** mtime of the version this child first served, per script path. */
const servedVersion = new Map<string, number>();
let retire: ((reason: string) => void) | undefined;
let retiring = false;

/** worker/main.ts installs how this child retires (tell the master, then a graceful quit). */
export function onScriptChanged(handler: (reason: string) => void): void {
  retire = handler;
}

/** Called for each script about to run; starts the retirement the first time a version differs. */
export function noteScriptVersion(path: string, mtimeMs: number): void {
  const served = servedVersion.get(path);
  if (served === undefined) {
    servedVersion.set(path, mtimeMs);
    return;
  }
  if (served === mtimeMs || retiring || retire === undefined) return;
  retiring = true;
  retire(`script '${path}' changed on disk`);
}
