// Packaging: `npm pack` of this checkout installs globally into a temporary prefix and gives
// a working `tsfpm` on PATH with only the runtime dependencies: -v, -t on a config, a daemonized start,
// a request served through the installed `tsfpm request`, and a stop. The tarball is packed with
// --ignore-scripts because `npm test` has just built dist (prepack runs tsc for real releases).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { promisify } from 'node:util';
import { DAEMONIZED_CONF, startDaemonized } from '../helpers/daemonized.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { isAlive } from '../helpers/proc.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { describeResult, runTsfpm } from '../helpers/tsfpm-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);

void test(
  'npm pack → npm install -g --prefix: tsfpm -v, -t, start, tsfpm request, stop',
  { timeout: 180_000 },
  async (t) => {
    const dir = makeTempDir('tsfpm-pack-');
    t.after(() => dir.remove());
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
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info !== undefined);
    const files = info.files.map((f) => f.path);
    for (const needed of [
      'bin/tsfpm',
      'dist/src/cli/main.js',
      'conf/systemd/tsfpm.service',
      'conf/logrotate.d/tsfpm',
      'README.md',
    ]) {
      assert.ok(files.includes(needed), `the tarball holds ${needed}`);
    }
    assert.equal(
      files.filter((f) => f.startsWith('dist/test/') || f.startsWith('src/') || f.startsWith('test/')).length,
      0,
    );

    const prefix = join(dir.path, 'prefix');
    await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--omit=dev', '--prefer-offline', join(dir.path, info.filename)],
      {
        cwd: dir.path,
        env: npmEnv,
      },
    );
    const bin = join(prefix, 'bin', 'tsfpm');
    assert.ok(existsSync(bin), `${bin} is installed`);

    // Only runtime dependencies: every "dependencies" entry, none of the devDependencies.
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const installed = join(prefix, 'lib', 'node_modules', 'tsfpm', 'node_modules');
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

    const testConf = join(dir.path, 'check.conf');
    writeFileSync(testConf, '[global]\n[www]\nlisten = 127.0.0.1:9000\npm = static\npm.max_children = 1\n');
    const check = await runTsfpm(['-t', '-y', testConf, ...(process.getuid?.() === 0 ? ['-R'] : [])], { bin });
    assert.equal(check.code, 0, describeResult(check));
    assert.match(check.stderr, /test is successful/);

    const fpm = await startDaemonized(t, DAEMONIZED_CONF, { bin });
    assert.equal(fpm.launcher.code, 0, describeResult(fpm.launcher));
    const hello = join(fpm.dir.path, 'hello.mjs');
    writeFileSync(hello, "export default () => new Response('installed tsfpm\\n');\n");
    const response = await runTsfpm(['request', '--connect', fpm.socketPath, '-b', hello], { bin });
    assert.equal(response.code, 0, describeResult(response));
    assert.equal(response.stdout, 'installed tsfpm\n');
    const pid = fpm.pid();
    process.kill(pid, 'SIGQUIT');
    await waitFor(() => !isAlive(pid), { what: 'the installed tsfpm to exit' });
    assert.match(fpm.errorLogText(), /exiting, bye-bye!/);
  },
);
