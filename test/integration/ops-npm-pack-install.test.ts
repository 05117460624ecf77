// Packaging: `npm pack` of this checkout installs globally into a temporary prefix and gives a working
// `tsfpm` on PATH with only the runtime dependencies. The installed sample configuration passes
// `tsfpm -t` as shipped, and the installed sample pool (conf/tsfpm.conf → tsfpm.d/www.conf →
// conf/www) serves its scripts from a daemonized start. The tarball carries no source maps (it ships
// no sources for them to point at) and none of the tests. It is packed with --ignore-scripts because
// `npm test` has just built dist (prepack runs tsc for real releases).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { promisify } from 'node:util';
import { startDaemonized } from '../helpers/daemonized.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { isAlive } from '../helpers/proc.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { describeResult, runTsfpm } from '../helpers/tsfpm-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);

/**
 * The installed sample, with only what a shared test machine needs changed: the pid file and the
 * error log in the test's directory, and the pool on a unix socket instead of port 9000. The prefix
 * (-p) is the installed conf/, so every relative path of the sample resolves as it does for a user.
 */
const SAMPLE_OVERRIDE = `[global]
pid = {{PID}}
error_log = {{LOG}}
daemonize = yes
process_control_timeout = 5s
include = tsfpm.conf

[www]
listen = {{SOCK}}
`;

interface PackInfo {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string }[];
}

void test(
  'npm pack → npm install -g --prefix: tsfpm -v, -t on the installed sample, the sample pool serves, stop',
  { timeout: 180_000 },
  async (t) => {
    const dir = makeTempDir('tsfpm-pack-');
    t.after(() => dir.remove());
    // The sample pool runs as `nobody` when the test is root: it must reach the installed scripts.
    chmodSync(dir.path, 0o755);
    const npmEnv: NodeJS.ProcessEnv = {
      ...process.env,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    delete npmEnv['NODE_TEST_CONTEXT'];
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir.path], {
      cwd: REPO_ROOT,
      env: npmEnv,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [info] = JSON.parse(packed.stdout) as PackInfo[];
    assert.ok(info !== undefined);
    t.diagnostic(`${info.filename}: ${info.files.length} files, ${info.size} bytes (${info.unpackedSize} unpacked)`);
    const files = info.files.map((f) => f.path);
    for (const needed of [
      'bin/tsfpm',
      'dist/src/cli/main.js',
      'dist/src/worker/main.js',
      'dist/bundle/worker/main.js',
      'dist/bundle/worker/spare.js',
      'conf/tsfpm.conf',
      'conf/tsfpm.d/www.conf',
      'conf/www/hello.mjs',
      'conf/systemd/tsfpm.service',
      'conf/systemd/tsfpm.socket',
      'conf/logrotate.d/tsfpm',
      'README.md',
      'docs/configuration.md',
    ]) {
      assert.ok(files.includes(needed), `the tarball holds ${needed}`);
    }
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
      'no source maps: the sources they name are not in the package',
    );
    assert.deepEqual(
      files.filter((f) => f.startsWith('dist/test/') || f.startsWith('src/') || f.startsWith('test/')),
      [],
    );

    const prefix = join(dir.path, 'prefix');
    await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--omit=dev', '--prefer-offline', join(dir.path, info.filename)],
      { cwd: dir.path, env: npmEnv },
    );
    const bin = join(prefix, 'bin', 'tsfpm');
    assert.ok(existsSync(bin), `${bin} is installed`);
    const installedPackage = join(prefix, 'lib', 'node_modules', 'tsfpm');

    // Only runtime dependencies: every "dependencies" entry, none of the devDependencies.
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const installed = join(installedPackage, 'node_modules');
    const names = new Set(
      readdirSync(installed).flatMap((entry) =>
        entry.startsWith('@') ? readdirSync(join(installed, entry)).map((sub) => `${entry}/${sub}`) : [entry],
      ),
    );
    for (const dep of Object.keys(manifest.dependencies))
      assert.ok(names.has(dep), `runtime dependency ${dep} installed`);
    for (const dev of Object.keys(manifest.devDependencies))
      assert.ok(!names.has(dev), `dev dependency ${dev} not installed`);

    const version = await runTsfpm(['-v'], { bin });
    assert.equal(version.code, 0, describeResult(version));
    assert.match(version.stdout, new RegExp(`^tsfpm ${manifest.version.replaceAll('.', '\\.')} `));

    // The sample exactly as installed (its pool names `user = nobody`, so no -R is needed as root).
    const sampleConf = join(installedPackage, 'conf');
    const check = await runTsfpm(['-t', '-y', join(sampleConf, 'tsfpm.conf')], { bin });
    assert.equal(check.code, 0, describeResult(check));
    assert.match(check.stderr, /configuration file .*tsfpm\.conf test is successful/);

    const fpm = await startDaemonized(t, SAMPLE_OVERRIDE, { bin, args: ['-p', sampleConf] });
    assert.equal(fpm.launcher.code, 0, `${describeResult(fpm.launcher)}\n${fpm.errorLogText()}`);
    const connect = ['--connect', fpm.socketPath];
    const hello = await runTsfpm(['request', ...connect, '-b', join(sampleConf, 'www', 'hello.mjs')], { bin });
    assert.equal(hello.code, 0, describeResult(hello));
    assert.equal(hello.stdout, 'Hello from tsfpm\n');
    const ping = await runTsfpm(['request', ...connect, '--health'], { bin });
    assert.equal(ping.code, 0, describeResult(ping));
    assert.equal(ping.stdout, 'pong\n');
    const status = await runTsfpm(['status', ...connect], { bin });
    assert.equal(status.code, 0, describeResult(status));
    assert.match(status.stdout, /^pool: +www$/m);

    const pid = fpm.pid();
    process.kill(pid, 'SIGQUIT');
    await waitFor(() => !isAlive(pid), { what: 'the installed tsfpm to exit' });
    assert.match(fpm.errorLogText(), /exiting, bye-bye!/);
  },
);
