// One mistake per config: the exact message, its file:line and level, nothing else reported as an
// error (no cascades), and `tsfpm -t` (runConfigTest) exiting 78 with php-fpm's closing lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runConfigTest } from '../../../src/cli/config-test.js';
import { loadConfig } from '../../../src/config/load.js';
import { NOT_ROOT, writeTree } from './fixture-dir.js';

// Layout: 1 [global], 2 global line, 3 [www], 4..8 pool lines below, extra pool lines from 9 on.
const BASE_POOL: ReadonlyArray<readonly [string, string]> = [
  ['listen', '127.0.0.1:9000'],
  ['pm', 'dynamic'],
  ['pm.max_children', '5'],
  ['pm.min_spare_servers', '1'],
  ['pm.max_spare_servers', '3'],
];

interface Case {
  readonly name: string;
  readonly global?: string;
  readonly set?: Readonly<Record<string, string | null>>;
  readonly extra?: readonly string[];
  /** Expected first (and only) error; {F} stands for the main file's absolute path. */
  readonly error: string;
  readonly level?: 'error' | 'alert';
  /** Expected line of the message (undefined: the message has no location). */
  readonly line: number | undefined;
  /** Parse/load failures print "failed to load configuration file"; cross-field ones do not. */
  readonly stage: 'load' | 'post-process';
}

function configText(c: Case): string {
  const lines = ['[global]', c.global ?? '; no global line', '[www]'];
  for (const [k, v] of BASE_POOL) {
    const o = c.set?.[k];
    lines.push(o === null ? '; removed' : `${k} = ${o ?? v}`);
  }
  return `${[...lines, ...(c.extra ?? [])].join('\n')}\n`;
}

const LONG = `/tmp/${'x'.repeat(120)}.sock`;
const CASES: readonly Case[] = [
  { name: 'unknown entry', extra: ['foo = bar'], error: "[{F}:9] unknown entry 'foo'", line: 9, stage: 'load' },
  {
    name: 'near-miss entry',
    extra: ['pm.max_child = 5'],
    error: "[{F}:9] unknown entry 'pm.max_child'; did you mean 'pm.max_children'?",
    line: 9,
    stage: 'load',
  },
  {
    name: 'case of include',
    extra: ['Include = x.conf'],
    error: "[{F}:9] unknown entry 'Include'; did you mean 'include'? (it is case-sensitive)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'global directive in a pool',
    extra: ['daemonize = no'],
    error: "[{F}:9] unknown entry 'daemonize'; 'daemonize' is a [global] directive",
    line: 9,
    stage: 'load',
  },
  {
    name: 'pool directive in [global]',
    global: 'pm = static',
    error: "[{F}:2] unknown entry 'pm'; 'pm' is a pool directive: put it in a [pool] section",
    line: 2,
    stage: 'load',
  },
  {
    name: 'hash comment',
    extra: ['# a comment'],
    error:
      "[{F}:9] value is NULL for a ZEND_INI_PARSER_ENTRY; '#' does not start a comment in INI files (since PHP 7.0), use ';'",
    line: 9,
    stage: 'load',
  },
  {
    name: 'unterminated quote',
    set: { listen: '"127.0.0.1:9000' },
    error: '[{F}:4] syntax error, unterminated double-quoted string "127.0.0.1:9000',
    line: 4,
    stage: 'load',
  },
  {
    name: 'time suffix',
    extra: ['request_terminate_timeout = 30x'],
    error:
      "[{F}:9] unable to parse value for entry 'request_terminate_timeout': unknown suffix used in time value (got '30x', expected a whole number with an optional s, m, h or d suffix (e.g. 90s))",
    line: 9,
    stage: 'load',
  },
  {
    name: 'fractional time',
    extra: ['request_terminate_timeout = 1.5m'],
    error:
      "[{F}:9] unable to parse value for entry 'request_terminate_timeout': invalid time value (got '1.5m', expected a whole number with an optional s, m, h or d suffix (e.g. 90s))",
    line: 9,
    stage: 'load',
  },
  {
    name: 'boolean',
    extra: ['catch_workers_output = maybe'],
    error:
      "[{F}:9] unable to parse value for entry 'catch_workers_output': invalid boolean value (got 'maybe', expected yes/no (also on/off, true/false, 1/0))",
    line: 9,
    stage: 'load',
  },
  {
    name: 'integer',
    extra: ['pm.max_requests = lots'],
    error:
      "[{F}:9] unable to parse value for entry 'pm.max_requests': is not a valid number (greater or equal than zero) (got 'lots', expected an integer >= 0)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'process manager',
    set: { pm: 'auto' },
    error:
      "[{F}:5] unable to parse value for entry 'pm': invalid process manager (static, dynamic or ondemand) (got 'auto', expected static, dynamic or ondemand)",
    line: 5,
    stage: 'load',
  },
  {
    name: 'rlimit_core',
    extra: ['rlimit_core = -1'],
    error:
      "[{F}:9] unable to parse value for entry 'rlimit_core': must be greater than zero or 'unlimited' (got '-1', expected 'unlimited' or an integer >= 0)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'listen.mode',
    extra: ['listen.mode = 0999'],
    error:
      "[{F}:9] unable to parse value for entry 'listen.mode': invalid octal mode (got '0999', expected an octal file mode such as 0660)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'log_level',
    global: 'log_level = info',
    error:
      "[{F}:2] unable to parse value for entry 'log_level': invalid value for 'log_level' (got 'info', expected alert, error, warning, notice or debug)",
    line: 2,
    stage: 'load',
  },
  {
    name: 'syslog.facility',
    global: 'syslog.facility = mars',
    error:
      "[{F}:2] unable to parse value for entry 'syslog.facility': invalid value (got 'mars', expected one of kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0, local1, local2, local3, local4, local5, local6, local7)",
    line: 2,
    stage: 'load',
  },
  {
    name: '$pool in [global]',
    global: 'pid = /run/$pool.pid',
    error: "[{F}:2] unable to parse value for entry 'pid': Can't use '$pool' when the pool is not defined",
    line: 2,
    stage: 'load',
  },
  {
    name: 'array in [global]',
    global: 'env[X] = 1',
    error: "[{F}:2] Array are not allowed in the global section ('env[X]' belongs in a pool section)",
    line: 2,
    stage: 'load',
  },
  {
    name: 'array without key',
    extra: ['php_value[] = 1'],
    error: "[{F}:9] You must provide a key for field 'php_value' (expected 'php_value[NAME] = value')",
    line: 9,
    stage: 'load',
  },
  {
    name: 'suppress_path value',
    extra: ['access.suppress_path[] = ping'],
    error: "[{F}:9] Values provided to field 'access.suppress_path' must begin with '/' (got 'ping')",
    line: 9,
    stage: 'load',
  },
  {
    name: 'suppress_path key',
    extra: ['access.suppress_path[x] = /ping'],
    error: "[{F}:9] Keys provided to field 'access.suppress_path' are ignored",
    line: 9,
    stage: 'load',
  },
  {
    name: 'empty env value',
    extra: ['env[FOO] = off'],
    error: "[{F}:9] empty value (env[FOO] needs a value; 'no', 'off' and 'false' read as empty)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'php_flag value',
    extra: ['php_flag[display_errors] = maybe'],
    error:
      "[{F}:9] error while parsing 'php_flag[display_errors]' : invalid boolean value (got 'maybe', expected on/off)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'unknown array',
    extra: ['envv[X] = 1'],
    error: "[{F}:9] unknown directive 'envv'; did you mean 'env'?",
    line: 9,
    stage: 'load',
  },
  {
    name: 'limit_extensions without dot',
    extra: ['security.limit_extensions = .js mjs'],
    error:
      "[{F}:9] unable to parse value for entry 'security.limit_extensions': extension 'mjs' must start with a dot (got '.js mjs', expected space-separated suffixes starting with a dot (e.g. '.js .mjs'), or empty to allow everything)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'node.flags with an option Node refuses in NODE_OPTIONS',
    extra: ['node.flags = --max-semi-space-size=2 --no-such-option'],
    error:
      "[{F}:9] unable to parse value for entry 'node.flags': '--no-such-option' is not a Node.js option allowed in NODE_OPTIONS (got '--max-semi-space-size=2 --no-such-option', expected space-separated Node.js options allowed in NODE_OPTIONS (e.g. '--max-old-space-size=512'), or empty)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'size suffix',
    extra: ['fastcgi.max_body_size = 1MB'],
    error:
      "[{F}:9] unable to parse value for entry 'fastcgi.max_body_size': invalid size value (got '1MB', expected a whole number of bytes with an optional k, M or G suffix (e.g. 1M))",
    line: 9,
    stage: 'load',
  },
  {
    name: 'handler',
    extra: ['handler = php'],
    error:
      "[{F}:9] unable to parse value for entry 'handler': invalid value (must be one of auto, fetch, node, cgi) (got 'php', expected auto, fetch, node, cgi)",
    line: 9,
    stage: 'load',
  },
  {
    name: 'max_children 0',
    set: { 'pm.max_children': '0' },
    error:
      '[pool www] pm.max_children must be a positive value (at {F}:6: pm.max_children = "0", expected an integer >= 1)',
    level: 'alert',
    line: 6,
    stage: 'post-process',
  },
  {
    name: 'start_servers range',
    extra: ['pm.start_servers = 4'],
    error:
      '[pool www] pm.start_servers(4) must not be less than pm.min_spare_servers(1) and not greater than pm.max_spare_servers(3) (at {F}:9: pm.start_servers = "4")',
    level: 'alert',
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'min_spare 0',
    set: { 'pm.min_spare_servers': '0' },
    error:
      '[pool www] pm.min_spare_servers(0) must be a positive value (at {F}:7: pm.min_spare_servers = "0", expected an integer >= 1)',
    level: 'alert',
    line: 7,
    stage: 'post-process',
  },
  {
    name: 'max_spare > max_children',
    set: { 'pm.max_spare_servers': '9' },
    error:
      '[pool www] pm.min_spare_servers(1) and pm.max_spare_servers(9) cannot be greater than pm.max_children(5) (at {F}:8: pm.max_spare_servers = "9")',
    level: 'alert',
    line: 8,
    stage: 'post-process',
  },
  {
    name: 'max_spare < min_spare',
    set: { 'pm.min_spare_servers': '3', 'pm.max_spare_servers': '2' },
    error:
      '[pool www] pm.max_spare_servers(2) must not be less than pm.min_spare_servers(3) (at {F}:8: pm.max_spare_servers = "2")',
    level: 'alert',
    line: 8,
    stage: 'post-process',
  },
  {
    name: 'max_spawn_rate 0',
    extra: ['pm.max_spawn_rate = 0'],
    error:
      '[pool www] pm.max_spawn_rate must be a positive value (at {F}:9: pm.max_spawn_rate = "0", expected an integer >= 1)',
    level: 'alert',
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'ondemand idle timeout',
    set: { pm: 'ondemand' },
    extra: ['pm.process_idle_timeout = 0'],
    error:
      '[pool www] pm.process_idle_timeout(0s) must be greater than 0s (at {F}:9: pm.process_idle_timeout = "0", expected at least 1s)',
    level: 'alert',
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'missing listen',
    set: { listen: null },
    error: "[pool www] no listen address have been defined! (pool opened at {F}:3; add e.g. 'listen = 127.0.0.1:9000')",
    level: 'alert',
    line: 3,
    stage: 'post-process',
  },
  {
    name: 'missing pm',
    set: { pm: null },
    error:
      "[pool www] the process manager is missing (static, dynamic or ondemand) (pool opened at {F}:3; add 'pm = static', 'pm = dynamic' or 'pm = ondemand')",
    level: 'alert',
    line: 3,
    stage: 'post-process',
  },
  {
    name: 'bad port',
    set: { listen: '127.0.0.1:70000' },
    error:
      '[pool www] invalid port value \'70000\' (at {F}:4: listen = "127.0.0.1:70000", expected a port between 1 and 65535)',
    line: 4,
    stage: 'post-process',
  },
  {
    name: 'slowlog timeout without slowlog',
    extra: ['request_slowlog_timeout = 5s'],
    error:
      "[pool www] 'slowlog' must be specified for use with 'request_slowlog_timeout' (at {F}:9: request_slowlog_timeout = \"5s\", expected 'slowlog = PATH' to be set as well)",
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'slowlog > terminate',
    extra: ['slowlog = /tmp/tsfpm-test.slow', 'request_terminate_timeout = 10s', 'request_slowlog_timeout = 20s'],
    error:
      "[pool www] 'request_slowlog_timeout' (20) can't be greater than 'request_terminate_timeout' (10) (at {F}:11: request_slowlog_timeout = \"20s\")",
    line: 11,
    stage: 'post-process',
  },
  {
    name: 'trace depth',
    extra: ['slowlog = /tmp/tsfpm-test.slow', 'request_slowlog_trace_depth = 0'],
    error:
      '[pool www] \'request_slowlog_trace_depth\' (0) must be a positive value (at {F}:10: request_slowlog_trace_depth = "0", expected an integer >= 1)',
    line: 10,
    stage: 'post-process',
  },
  {
    name: 'status path',
    extra: ['pm.status_path = status'],
    error: "[pool www] the status path 'status' must start with a '/' (at {F}:9: pm.status_path = \"status\")",
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'ping path chars',
    extra: ['ping.path = /p!ng'],
    error:
      "[pool www] the ping path '/p!ng' must contain only the following characters '[alphanum]/_-.~' (at {F}:9: ping.path = \"/p!ng\")",
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'ping response empty',
    extra: ['ping.path = /ping', 'ping.response ='],
    error:
      '[pool www] the ping response page \'\' is not long enough (at {F}:10: ping.response = "", expected a non-empty reply body)',
    line: 10,
    stage: 'post-process',
  },
  {
    name: 'prefix missing',
    extra: ['prefix = /nonexistent/tsfpm'],
    error:
      '[pool www] the prefix \'/nonexistent/tsfpm\' does not exist or is not a directory (at {F}:9: prefix = "/nonexistent/tsfpm")',
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'chdir missing',
    extra: ['chdir = /nonexistent/tsfpm'],
    error:
      '[pool www] the chdir path \'/nonexistent/tsfpm\' does not exist or is not a directory (at {F}:9: chdir = "/nonexistent/tsfpm")',
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'pool priority',
    extra: ['process.priority = 42'],
    error:
      '[pool www] process.priority must be included into [-19,20] (at {F}:9: process.priority = "42", expected an integer between -19 and 20)',
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'log_limit',
    global: 'log_limit = 100',
    error: 'log_limit must be greater than 512 (at {F}:2: log_limit = "100", expected an integer >= 512)',
    line: 2,
    stage: 'post-process',
  },
  {
    name: 'process.max',
    global: 'process.max = -1',
    error: 'process_max can\'t be negative (at {F}:2: process.max = "-1", expected an integer >= 0 (0 = no limit))',
    line: 2,
    stage: 'post-process',
  },
  {
    name: 'access.format token',
    extra: ['access.log = /tmp/tsfpm-test.access', 'access.format = "%R %Z"'],
    error:
      '[pool www] wrong format for access.format \'%R %Z\': Invalid token in the access.format (%Z) (at {F}:10: access.format = "%R %Z")',
    line: 10,
    stage: 'post-process',
  },
  {
    name: 'unknown user (test mode)',
    extra: ['user = no-such-user-tsfpm'],
    error: '[pool www] cannot get uid for user \'no-such-user-tsfpm\' (at {F}:9: user = "no-such-user-tsfpm")',
    line: 9,
    stage: 'post-process',
  },
  {
    name: 'duplicate listen',
    extra: ['[two]', 'listen = 127.0.0.1:9000', 'pm = static', 'pm.max_children = 1'],
    error:
      "[pool two] unable to set listen address as it's already used in another pool 'www' (at {F}:10: listen = \"127.0.0.1:9000\")",
    line: 10,
    stage: 'post-process',
  },
  {
    name: 'unclosed section header: its lines are skipped, no follow-on errors',
    extra: ['[two', 'listen = 127.0.0.1:9001', 'pm = static', 'pm.max_children = 1'],
    error: "[{F}:9] syntax error, section header '[two' has no closing ']'",
    line: 9,
    stage: 'load',
  },
  {
    name: 'unix socket in a missing directory (test mode)',
    set: { listen: '/nonexistent-tsfpm-dir/www.sock' },
    error:
      "[pool www] cannot listen on '/nonexistent-tsfpm-dir/www.sock': the directory '/nonexistent-tsfpm-dir' does not exist (at {F}:4: listen = \"/nonexistent-tsfpm-dir/www.sock\", expected a unix socket path in an existing directory)",
    line: 4,
    stage: 'post-process',
  },
  {
    name: 'unix path too long (test mode)',
    set: { listen: LONG },
    error: `[pool www] cannot bind to UNIX socket '${LONG}' as path is too long (found length: ${LONG.length}, maximal length: 107) (at {F}:4: listen = "${LONG}")`,
    line: 4,
    stage: 'post-process',
  },
];

describe('broken configs: one mistake each', () => {
  it('has at least 30 cases', () => assert.ok(CASES.length >= 30));

  for (const c of CASES) {
    it(c.name, () => {
      const dir = writeTree({ 'main.conf': configText(c) });
      const file = `${dir}/main.conf`;
      const r = loadConfig({ configFile: file, ...NOT_ROOT, testMode: true });
      assert.equal(r.ok, false);
      const errors = r.messages.filter((m) => m.level === 'error' || m.level === 'alert');
      const expected = c.error.replaceAll('{F}', file);
      assert.deepEqual(
        errors.map((m) => m.message),
        [expected],
      );
      assert.equal(errors[0]?.level, c.level ?? 'error');
      assert.equal(errors[0]?.line, c.line);
      assert.equal(errors[0]?.file, c.line === undefined ? undefined : file);
      if (!r.ok) assert.equal(r.failure, c.stage);

      const out: string[] = [];
      assert.equal(
        runConfigTest({ configFile: file, ...NOT_ROOT, dump: false }, (l) => out.push(l)),
        78,
      );
      const tail = out.map((l) => l.replace(/^\[[^\]]+\] /, ''));
      assert.ok(tail.includes(`${(c.level ?? 'error').toUpperCase()}: ${expected}`), tail.join('\n'));
      assert.equal(tail.at(-1), 'ERROR: FPM initialization failed');
      const loadLine = `ERROR: failed to load configuration file '${file}'`;
      assert.equal(tail.at(-2), c.stage === 'load' ? loadLine : 'ERROR: failed to post process the configuration');
    });
  }

  it('an unclosed header of the only pool: -t prints that one error and the closing lines', () => {
    const dir = writeTree({
      'main.conf':
        '[global]\nerror_log = /tmp/tsfpm-unused.log\n[www\nlisten = 127.0.0.1:9000\npm = static\npm.max_children = 1\n',
    });
    const file = `${dir}/main.conf`;
    const out: string[] = [];
    assert.equal(
      runConfigTest({ configFile: file, ...NOT_ROOT, dump: false }, (l) => out.push(l)),
      78,
    );
    assert.deepEqual(
      out.map((l) => l.replace(/^\[[^\]]+\] /, '')),
      [
        `ERROR: [${file}:3] syntax error, section header '[www' has no closing ']'`,
        `ERROR: failed to load configuration file '${file}'`,
        'ERROR: FPM initialization failed',
      ],
    );
  });

  it('reports every independent error in one run, in file:line order', () => {
    const dir = writeTree({
      'main.conf': configText({
        name: 'multi',
        extra: ['foo = 1', 'pm.max_requests = x', 'ping.path = nope'],
        error: '',
        line: 0,
        stage: 'load',
      }),
    });
    const file = `${dir}/main.conf`;
    const r = loadConfig({ configFile: file, ...NOT_ROOT });
    assert.deepEqual(
      r.messages.filter((m) => m.level === 'error').map((m) => m.line),
      [9, 10, 11],
    );
  });

  it('reports a missing main file and a config without pools', () => {
    const dir = writeTree({ 'empty.conf': '[global]\n' });
    const missing = loadConfig({ configFile: `${dir}/nope.conf`, ...NOT_ROOT });
    assert.deepEqual(
      missing.messages.map((m) => m.message),
      [`failed to open configuration file '${dir}/nope.conf': No such file or directory (2)`],
    );
    const empty = loadConfig({ configFile: `${dir}/empty.conf`, ...NOT_ROOT });
    assert.deepEqual(
      empty.messages.map((m) => m.message),
      [`No pool defined. at least one pool section must be specified in config file (${dir}/empty.conf)`],
    );
  });

  it('as root without -R: user required, root user refused', () => {
    const noUser = writeTree({ 'main.conf': '[www]\nlisten = 9000\npm = static\npm.max_children = 1\n' });
    const r1 = loadConfig({ configFile: `${noUser}/main.conf`, isRoot: true, env: {} });
    assert.deepEqual(
      r1.messages.map((m) => `${m.level}: ${m.message}`),
      [
        `alert: [pool www] user has not been defined (pool opened at ${noUser}/main.conf:1; add 'user = NAME' or start with -R (--allow-to-run-as-root))`,
      ],
    );
    assert.ok(loadConfig({ configFile: `${noUser}/main.conf`, isRoot: true, allowRoot: true, env: {} }).ok);
    const rootUser = writeTree({
      'main.conf': '[www]\nuser = root\nlisten = 9000\npm = static\npm.max_children = 1\n',
    });
    const r2 = loadConfig({ configFile: `${rootUser}/main.conf`, isRoot: true, env: {} });
    assert.equal(
      r2.messages[0]?.message,
      `[pool www] please specify user and group other than root (at ${rootUser}/main.conf:2: user = "root", expected a non-root user, or -R)`,
    );
  });
});
