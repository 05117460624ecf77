// The command line a newcomer meets first: `--help` says each thing once, and the default
// configuration path is the same in the CLI, the README, the docs, the systemd unit and the Dockerfile.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configFileFor, DEFAULT_CONFIG_FILE, missingConfigHint } from '../../../src/cli/config-path.js';
import { parseCommandLine } from '../../../src/cli/options.js';
import { repoPath } from '../../helpers/paths.js';

function helpText(argv: readonly string[]): string {
  const parsed = parseCommandLine(argv);
  assert.equal(parsed.kind, 'exit');
  return parsed.kind === 'exit' ? parsed.output.replace(/\s+/g, ' ') : '';
}

describe('tsfpm --help', () => {
  it('prints no "(default: false)" after the flags', () => {
    const help = helpText(['--help']);
    assert.doesNotMatch(help, /\(default: false\)/);
    assert.match(help, /-R, --allow-to-run-as-root allow pool to run as root \(disabled by default\) -/);
    assert.match(help, /--dump-config print the effective configuration .* and exit -e/);
  });

  it('names the default configuration file', () => {
    assert.match(
      helpText(['-h']),
      /config file \(default: \/etc\/tsfpm\/tsfpm\.conf, or PREFIX\/etc\/tsfpm\.conf with -p\)/,
    );
  });

  it('still parses the flags as false when absent and true when given', () => {
    const none = parseCommandLine([]);
    assert.ok(none.kind === 'run');
    assert.deepEqual(
      [none.options.daemonize, none.options.nodaemonize, none.options.forceStderr, none.options.allowToRunAsRoot],
      [false, false, false, false],
    );
    const all = parseCommandLine(['-D', '-F', '-O', '-R', '--dump-config']);
    assert.ok(all.kind === 'run');
    assert.deepEqual(
      [
        all.options.daemonize,
        all.options.nodaemonize,
        all.options.forceStderr,
        all.options.allowToRunAsRoot,
        all.options.dumpConfig,
      ],
      [true, true, true, true, true],
    );
  });
});

describe('the default configuration path', () => {
  it('is /etc/tsfpm/tsfpm.conf, PREFIX/etc/tsfpm.conf with -p, or what -y names', () => {
    assert.equal(DEFAULT_CONFIG_FILE, '/etc/tsfpm/tsfpm.conf');
    assert.equal(configFileFor({}), '/etc/tsfpm/tsfpm.conf');
    assert.equal(configFileFor({ prefix: '/opt/tsfpm' }), '/opt/tsfpm/etc/tsfpm.conf');
    assert.equal(configFileFor({ fpmConfig: 'my.conf', prefix: '/opt/tsfpm' }), 'my.conf');
  });

  // Every `--fpm-config PATH` / `-y PATH` / `cp … PATH` naming a main configuration file outside a
  // temporary folder must be the default, so the install steps and the unit find the same file.
  it('is the one the README, the docs, the systemd unit and the Dockerfile use', () => {
    const files = ['README.md', 'docs/operations.md', 'docs/configuration.md', 'docs/command-line.md'];
    for (const file of [...files, 'conf/systemd/tsfpm.service', 'Dockerfile']) {
      const text = readFileSync(repoPath(file), 'utf8');
      const named = [...text.matchAll(/(?:--fpm-config|-y)"?,? "?(\/etc\/[^\s"`]+)/g)].map((m) => m[1]);
      if (file !== 'docs/configuration.md' && file !== 'docs/command-line.md')
        assert.ok(named.length > 0, `${file} names a configuration file`);
      for (const path of named) assert.equal(path, DEFAULT_CONFIG_FILE, `${file}: --fpm-config ${path}`);
      const mains = [...text.matchAll(/(?<![\w>.-])\/etc\/[\w/.-]*tsfpm\.conf\b/g)].map((m) => m[0]);
      for (const path of mains) assert.equal(path, DEFAULT_CONFIG_FILE, `${file} names ${path}`);
    }
    const reference = readFileSync(repoPath('docs/command-line.md'), 'utf8');
    assert.ok(reference.includes(`default \`${DEFAULT_CONFIG_FILE}\``), 'docs/command-line.md states the default');
  });

  it('gets a hint when it was not given and cannot be read', () => {
    const unread = [
      {
        level: 'error' as const,
        message: "failed to open configuration file '/etc/tsfpm/tsfpm.conf': No such file or directory (2)",
        code: 'TSFPM_ERR_CONF_OPEN' as const,
      },
    ];
    assert.match(
      missingConfigHint({}, '/etc/tsfpm/tsfpm.conf', unread) ?? '',
      /name your configuration file with -y FILE/,
    );
    assert.equal(missingConfigHint({ fpmConfig: '/etc/tsfpm/tsfpm.conf' }, '/etc/tsfpm/tsfpm.conf', unread), undefined);
    assert.equal(missingConfigHint({}, '/etc/tsfpm/tsfpm.conf', []), undefined);
  });
});
