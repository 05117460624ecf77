// The master's error log writes its lines synchronously to the file (text and json), limits them,
// and reopens a rotated file at its path (SIGUSR1).
import assert from 'node:assert/strict';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ErrorLog } from '../../../src/log/error-log.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const dir = makeTempDir('tsfpm-errlog-');
after(() => dir.remove());

test('text lines reach the file at once, cut at log_limit; a rotated file is replaced on reopen', () => {
  const path = join(dir.path, 'logs', 'text.log');
  const log = new ErrorLog({ level: 'notice', limit: 64, format: 'text', target: { kind: 'file', path } });
  log.notice('first line');
  log.debug('below the level');
  log.warning('x'.repeat(200));
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0] ?? '', /^\[.+\] NOTICE: first line$/);
  assert.equal(lines[1]?.length, 64);
  assert.ok(lines[1]?.endsWith('...'));

  renameSync(path, `${path}.1`);
  log.notice('into the rotated file');
  log.reopen();
  log.notice('into the fresh file');
  assert.match(readFileSync(`${path}.1`, 'utf8'), /into the rotated file/);
  assert.match(readFileSync(path, 'utf8'), /^\[.+\] NOTICE: into the fresh file\n$/);
});

test('log_format = json: one object per line with level, pid and message', () => {
  const path = join(dir.path, 'json.log');
  const log = new ErrorLog({ level: 'notice', limit: 1024, format: 'json', target: { kind: 'file', path } });
  log.warning('a "quoted" warning');
  log.debug('below the level');
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.equal(entry['level'], 'WARNING');
  assert.equal(entry['pid'], process.pid);
  assert.equal(entry['msg'], 'a "quoted" warning');
});
