// `--dump-config` writes the effective configuration with the `ini` package; tsfpm must load that file back to
// the same configuration: for the sample conf/, Debian's stock php-fpm files, and generated pools whose values
// hold what INI writers and PHP-INI readers disagree on (quotes, ';', '#', '=', '\', '$', yes/no words, edges).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { dumpIni } from '../../../src/config/dump-ini.js';
import { loadConfig, type LoadOptions } from '../../../src/config/load.js';
import type { FpmConfig } from '../../../src/config/types.js';
import { writeTree } from './fixture-dir.js';
import { repoPath } from '../../helpers/paths.js';

/** The configuration with the one field that names the file it was read from blanked. */
const comparable = (config: FpmConfig): FpmConfig => ({ ...config, global: { ...config.global, configFile: '' } });

/** load → dump → load again (with the first load's prefix, as `-p` would give it); returns the dumped text. */
function roundTrip(opts: LoadOptions, dir: string): string {
  const first = loadConfig(opts);
  assert.ok(first.ok, JSON.stringify(first.messages, null, 1));
  const dumped = dumpIni(first.config);
  assert.ok(dumped.ok, JSON.stringify(dumped));
  const file = `${dir}/dumped.conf`;
  writeFileSync(file, dumped.text);
  const again = loadConfig({ ...opts, configFile: file, prefix: first.config.global.prefix });
  assert.ok(again.ok, `${JSON.stringify(again.messages, null, 1)}\n${dumped.text}`);
  assert.deepEqual(comparable(again.config), comparable(first.config), dumped.text);
  return dumped.text;
}

describe('--dump-config reads back as the same configuration', () => {
  it('for the sample conf/tsfpm.conf, as a normal user and as root', () => {
    for (const isRoot of [false, true]) {
      const text = roundTrip({ configFile: repoPath('conf/tsfpm.conf'), isRoot, env: {} }, writeTree({}));
      assert.match(text, /^\[www\]$/m);
      assert.doesNotMatch(text, /^include\b/m, 'includes are merged, not repeated');
    }
  });

  const ETC = '/etc/php/8.2/fpm';
  const present = existsSync(`${ETC}/php-fpm.conf`) && existsSync(`${ETC}/pool.d/www.conf`);
  const skip = present || process.env['CI'] === 'true' ? false : `${ETC} not found (apt-get install php8.2-fpm)`;
  it("for Debian's stock php-fpm 8.2 files", { skip }, () => {
    const main = readFileSync(`${ETC}/php-fpm.conf`, 'utf8');
    const pools = writeTree({ 'pool.d/www.conf': readFileSync(`${ETC}/pool.d/www.conf`, 'utf8') });
    const dir = writeTree({
      'php-fpm.conf': main.replace(`include=${ETC}/pool.d/*.conf`, `include=${pools}/pool.d/*.conf`),
    });
    for (const isRoot of [false, true]) roundTrip({ configFile: `${dir}/php-fpm.conf`, isRoot, env: {} }, dir);
  });

  it('keeps env[] from the master, an empty env[] value, php_value[] and access.suppress_path[] in order', () => {
    const dir = writeTree({
      'a.conf': [
        '[global]',
        'log_level = debug',
        '[www]',
        'listen = 127.0.0.1:9000',
        'pm = static',
        'pm.max_children = 1',
        'env[HOME] = $HOME',
        'env[GONE] = $NOT_SET_ANYWHERE',
        'env[" padded "] = "a = b ; c"',
        'php_value[flag] = "yes"',
        'php_flag[display_errors] = off',
        'php_admin_value[path] = "C:\\dir\\#1"',
        'access.suppress_path[] = /z',
        'access.suppress_path[] = /a;b',
        'access.suppress_path[] = "/c;d"',
        'ping.path = /ping',
        "ping.response = 'no'",
      ].join('\n'),
    });
    const text = roundTrip({ configFile: `${dir}/a.conf`, isRoot: false, env: { HOME: '/home/x y' } }, dir);
    assert.match(text, /^env\[HOME\] = \/home\/x y$/m, 'the value the master had, not $HOME');
    assert.match(text, /^env\[GONE\] = \$$/m);
    assert.match(text, /^log_level = debug$/m);
  });

  it('refuses, with the directive named, values no INI line carries', () => {
    const dir = writeTree({
      'a.conf':
        '[www]\nlisten = 127.0.0.1:9000\npm = static\npm.max_children = 1\nping.path = /p\n' +
        'ping.response = ${MULTI}\nphp_value[x] = "\\${literal}"\nenv[D] = $DOLLAR\n',
    });
    const loaded = loadConfig({
      configFile: `${dir}/a.conf`,
      isRoot: false,
      env: { MULTI: 'line one\nline two', DOLLAR: '$HOME' },
    });
    assert.ok(loaded.ok, JSON.stringify(loaded.messages));
    const dumped = dumpIni(loaded.config);
    assert.equal(dumped.ok, false);
    const problems = (dumped.ok ? [] : dumped.problems).join('\n');
    assert.equal(dumped.ok ? 0 : dumped.problems.length, 3, problems);
    assert.match(problems, /pool \[www\] ping\.response = "line one\\nline two"/);
    assert.match(problems, /pool \[www\] env\[D\]: a value starting with '\$'/);
    assert.match(problems, /pool \[www\] php_value\[x\] = "\$\{literal\}"/);
  });
});

// ---- generated pools ---------------------------------------------------------------------------------------

/** Characters INI writers and PHP-INI readers treat differently, plus letters to keep words apart. */
const AWKWARD = [...'ab Z09/.-_:;#="\'\\${}[]!~^&|()?,%@'];
const awkward = fc
  .oneof(
    fc.array(fc.constantFrom(...AWKWARD), { maxLength: 14 }).map((cs) => cs.join('')),
    fc.constantFrom('', ' ', 'yes', 'No', 'off', 'TRUE', 'none', 'null', '"q"', "'s'", '[x]', ';c', '#h', 'a=b'),
  )
  // '${' is expanded inside every INI quoting and '$pool' is replaced by the loader: the dump refuses both.
  .filter((s) => !s.includes('${') && !s.includes('$pool'));

/** PHP-INI double quotes: only \" \\ \$ are escapes. */
const quoted = (s: string): string => `"${s.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
const keyName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,6}$/);
const poolName = fc.stringMatching(/^[a-z][a-z0-9._-]{0,10}$/).filter((n) => n !== 'global');

const pool = fc.record({
  name: poolName,
  pingResponse: awkward.filter((s) => s !== ''),
  statusPath: fc.stringMatching(/^\/s[a-z0-9._~-]{0,8}$/),
  env: fc.dictionary(
    keyName,
    awkward.filter((s) => s !== '' && !s.startsWith('$')),
    { maxKeys: 3 },
  ),
  phpValues: fc.dictionary(keyName, awkward, { maxKeys: 3 }),
  suppress: fc.array(
    awkward.map((s) => `/${s}`),
    { maxLength: 3 },
  ),
  bools: fc.tuple(fc.boolean(), fc.boolean()),
  timeout: fc.tuple(fc.integer({ min: 0, max: 90 }), fc.constantFrom('', 's', 'm', 'h')),
  extensions: fc.constantFrom('', '.js', '.js .mjs .cjs'),
  allowed: fc.constantFrom(undefined, '127.0.0.1', '127.0.0.1, ::1', 'nonsense'),
  mode: fc.integer({ min: 0, max: 0o7777 }),
});

function poolText(p: PoolSpec, port: number): string {
  const lines = [
    `[${p.name}]`,
    `listen = 127.0.0.1:${port}`,
    'pm = ondemand',
    'pm.max_children = 2',
    'ping.path = /ping',
    `ping.response = ${quoted(p.pingResponse)}`,
    `pm.status_path = ${p.statusPath}`,
    `catch_workers_output = ${p.bools[0] ? 'on' : 'off'}`,
    `clear_env = ${p.bools[1] ? '"yes"' : 'false'}`,
    `request_terminate_timeout = ${p.timeout[0]}${p.timeout[1]}`,
    `security.limit_extensions = ${p.extensions}`,
    `listen.mode = ${p.mode.toString(8)}`,
    ...(p.allowed === undefined ? [] : [`listen.allowed_clients = ${p.allowed}`]),
    ...Object.entries(p.env).map(([k, v]) => `env[${k}] = ${quoted(v)}`),
    ...Object.entries(p.phpValues).map(([k, v]) => `php_value[${k}] = ${quoted(v)}`),
    ...p.suppress.map((s) => `access.suppress_path[] = ${quoted(s)}`),
  ];
  return lines.join('\n');
}

type PoolSpec = typeof pool extends fc.Arbitrary<infer T> ? T : never;

describe('--dump-config round trip, generated configurations', () => {
  it('load → dump → load gives a deep-equal configuration', () => {
    const dir = writeTree({});
    fc.assert(
      fc.property(
        fc.uniqueArray(pool, { minLength: 1, maxLength: 3, selector: (p) => p.name.toLowerCase() }),
        fc.constantFrom('notice', 'debug', undefined),
        (pools, logLevel) => {
          const text = [
            '[global]',
            ...(logLevel === undefined ? [] : [`log_level = ${logLevel}`]),
            ...pools.map((p, i) => poolText(p, 9100 + i)),
          ].join('\n');
          writeFileSync(`${dir}/gen.conf`, text);
          const opts = { configFile: `${dir}/gen.conf`, isRoot: false, env: {} };
          fc.pre(loadConfig(opts).ok); // a generated pool the loader refuses says nothing about the dump
          roundTrip(opts, dir);
        },
      ),
      { numRuns: 150 },
    );
  });
});
