// makeLogDirectory: `mkdir -p` that ends, even where Node's recursive mkdirSync spins (under /proc).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeLogDirectory } from '../../../src/log/make-log-dir.js';

describe('makeLogDirectory', () => {
  it('creates the missing directories and accepts existing ones', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tsfpm-mkdir-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const deep = join(dir, 'a', 'b', 'c');
    makeLogDirectory(deep);
    assert.ok(statSync(deep).isDirectory());
    makeLogDirectory(deep);
    makeLogDirectory(dir);
  });

  it('throws with the path under a file', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tsfpm-mkdir-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'file'), '');
    assert.throws(
      () => makeLogDirectory(join(dir, 'file', 'log')),
      /cannot create directory '.*\/file\/log': '.*\/file' is not a directory/,
    );
  });

  it('throws under /proc instead of looping', { timeout: 10_000 }, () => {
    assert.throws(
      () => makeLogDirectory('/proc/tsfpm-no-such-dir/logs'),
      /cannot create directory '\/proc\/tsfpm-no-such-dir': ENOENT/,
    );
  });
});
