// What loadConfig builds: complete shapes, defaults, $pool, relative paths, env[X] = $VAR, pool re-opening,
// one warning per ignored directive, and a deep-frozen result.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import type { GlobalConfig, ListenConfig, PmConfig, PoolConfig } from '../../../src/config/types.js';
import { NOT_ROOT, POOL_OK, writeTree } from './fixture-dir.js';

// Listing every key as a Record makes tsc fail here when types.ts gains a field the loader might not set.
const GLOBAL_KEYS: Record<keyof GlobalConfig, true> = {
  configFile: true,
  prefix: true,
  pid: true,
  errorLog: true,
  syslogIdent: true,
  syslogFacility: true,
  logLevel: true,
  logLevelSet: true,
  logLimit: true,
  logBuffering: true,
  logFormat: true,
  emergencyRestartThreshold: true,
  emergencyRestartIntervalMs: true,
  processControlTimeoutMs: true,
  processMax: true,
  processPriority: true,
  daemonize: true,
  rlimitFiles: true,
  rlimitCore: true,
  eventsMechanism: true,
  systemdIntervalMs: true,
  spareChildren: true,
};
// statusOf is set by the master on the hidden pm.status_listen pool, never by the configuration.
const POOL_KEYS: Record<Exclude<keyof PoolConfig, 'statusOf'>, true> = {
  name: true,
  prefix: true,
  user: true,
  group: true,
  listen: true,
  processPriority: true,
  processDumpable: true,
  pm: true,
  pingPath: true,
  pingResponse: true,
  accessLog: true,
  accessFormat: true,
  accessSuppressPaths: true,
  slowlog: true,
  requestSlowlogTimeoutMs: true,
  requestSlowlogTraceDepth: true,
  requestTerminateTimeoutMs: true,
  requestTerminateTimeoutTrackFinished: true,
  rlimitFiles: true,
  rlimitCore: true,
  chroot: true,
  chdir: true,
  catchWorkersOutput: true,
  decorateWorkersOutput: true,
  clearEnv: true,
  securityLimitExtensions: true,
  apparmorHat: true,
  env: true,
  phpValues: true,
  phpAdminValues: true,
  handler: true,
  executor: true,
  maxParamsBytes: true,
  outputBufferBytes: true,
  maxBodyBytes: true,
  maxParams: true,
  maxConnections: true,
  requestHeadTimeoutMs: true,
  requestBodyTimeoutMs: true,
  requestBodyMinRate: true,
  requestQueueTimeoutMs: true,
  executorMemoryLimitBytes: true,
  executorIsolate: true,
  scriptRoot: true,
  nodeFlags: true,
};
const LISTEN_KEYS: Record<keyof ListenConfig, true> = {
  address: true,
  backlog: true,
  owner: true,
  group: true,
  mode: true,
  aclUsers: true,
  aclGroups: true,
  allowedClients: true,
  setfib: true,
  acceptors: true,
};
const PM_KEYS: Record<keyof PmConfig, true> = {
  style: true,
  maxChildren: true,
  startServers: true,
  minSpareServers: true,
  maxSpareServers: true,
  maxSpawnRate: true,
  processIdleTimeoutMs: true,
  maxRequests: true,
  maxMemoryBytes: true,
  maxMemoryHardBytes: true,
  statusPath: true,
  statusListen: true,
};

const load = (files: Record<string, string>, main = 'main.conf', extra: object = {}) => {
  const dir = writeTree(files);
  return { dir, r: loadConfig({ configFile: `${dir}/${main}`, ...NOT_ROOT, ...extra }) };
};

describe('effective config', () => {
  it('has every field of the types, with php-fpm / tsfpm defaults', () => {
    const { dir, r } = load({ 'main.conf': `[www]\n${POOL_OK}` });
    assert.ok(r.ok, JSON.stringify(r.messages));
    const g = r.config.global;
    const p = r.config.pools[0];
    assert.ok(p);
    assert.deepEqual(Object.keys(g).sort(), Object.keys(GLOBAL_KEYS).sort());
    assert.deepEqual(Object.keys(p).sort(), Object.keys(POOL_KEYS).sort());
    assert.deepEqual(Object.keys(p.listen).sort(), Object.keys(LISTEN_KEYS).sort());
    assert.deepEqual(Object.keys(p.pm).sort(), Object.keys(PM_KEYS).sort());
    assert.equal(g.prefix, dir);
    assert.equal(g.errorLog, `${dir}/log/tsfpm.log`);
    assert.equal(g.logLevel, 'notice');
    assert.equal(g.logLevelSet, false);
    assert.equal(g.systemdIntervalMs, 10_000);
    assert.equal(g.logFormat, 'text');
    assert.equal(p.listen.mode, 0o660);
    assert.equal(p.pm.maxSpawnRate, 32);
    assert.equal(p.pm.processIdleTimeoutMs, 10_000);
    assert.equal(p.pm.maxMemoryBytes, 0);
    assert.equal(p.pm.maxMemoryHardBytes, 512 * 2 ** 20);
    assert.equal(p.accessFormat, '%R - %u %t "%m %r" %s');
    assert.equal(p.requestSlowlogTraceDepth, 20);
    assert.equal(p.clearEnv, true);
    assert.equal(p.decorateWorkersOutput, true);
    assert.equal(p.handler, 'auto');
    assert.equal(p.executor, 'inline');
    assert.equal(p.maxParamsBytes, 1024 * 1024);
    assert.equal(p.outputBufferBytes, 1024 * 1024);
    assert.equal(p.maxBodyBytes, 0);
    assert.deepEqual(p.securityLimitExtensions, ['.js', '.mjs']);
    assert.equal(p.listen.allowedClients, undefined);
  });

  it('is deep-frozen', () => {
    const { r } = load({ 'main.conf': `[www]\n${POOL_OK}env[A] = b\n` });
    assert.ok(r.ok);
    assert.ok(Object.isFrozen(r.config) && Object.isFrozen(r.config.pools) && Object.isFrozen(r.config.pools[0]?.pm));
    assert.ok(Object.isFrozen(r.config.pools[0]?.env));
    assert.throws(() => {
      (r.config.pools[0]?.env as Record<string, string>)['A'] = 'c';
    }, TypeError);
  });

  it('substitutes $pool and resolves relative paths against the pool prefix, then the global prefix', () => {
    const { dir, r } = load(
      {
        'etc/main.conf': `[www]\n${POOL_OK}access.log = log/$pool.access.log\nslowlog = /abs/$pool.slow\nenv[NAME] = $pool-x\nchdir = app\n[two]\nprefix = pools/$pool\nlisten = sock/$pool.sock\npm = static\npm.max_children = 1\naccess.log = a.log\n`,
        'etc/app/.keep': '',
        'etc/pools/two/.keep': '',
      },
      'etc/main.conf',
    );
    assert.ok(r.ok, JSON.stringify(r.messages));
    const [www, two] = r.config.pools;
    assert.equal(www?.accessLog, `${dir}/etc/log/www.access.log`);
    assert.equal(www.slowlog, '/abs/www.slow');
    assert.equal(www.env['NAME'], 'www-x');
    assert.equal(www.chdir, `${dir}/etc/app`);
    assert.equal(two?.prefix, `${dir}/etc/pools/two`);
    assert.equal(two.listen.address, `${dir}/etc/pools/two/sock/two.sock`);
    assert.equal(two.accessLog, `${dir}/etc/pools/two/a.log`);
  });

  it('-p sets the global prefix used by includes and relative paths', () => {
    const { dir, r } = load(
      {
        'conf/main.conf': 'pid = run/x.pid\ninclude = p/*.conf\n',
        'conf/p/www.conf': '[www]\nlisten = 9001\npm = static\npm.max_children = 1\n',
        'p/www.conf': '[www]\nlisten = 9002\npm = static\npm.max_children = 1\n',
      },
      'conf/main.conf',
    );
    assert.ok(r.ok, JSON.stringify(r.messages));
    assert.equal(r.config.global.pid, `${dir}/conf/run/x.pid`);
    assert.equal(r.config.pools[0]?.listen.address, '9001');
    const withPrefix = loadConfig({ configFile: `${dir}/conf/main.conf`, prefix: dir, ...NOT_ROOT });
    assert.ok(withPrefix.ok, JSON.stringify(withPrefix.messages));
    assert.equal(withPrefix.config.global.pid, `${dir}/run/x.pid`);
    assert.equal(withPrefix.config.pools[0]?.listen.address, '9002');
  });

  it('copies env[X] = $VAR from the environment and expands ${VAR} in values', () => {
    const { r } = load(
      { 'main.conf': `[www]\n${POOL_OK}env[P] = $MYPATH\nenv[Q] = $MISSING\nping.path = /\${PING:-ping}\n` },
      'main.conf',
      { env: { MYPATH: '/bin' } },
    );
    assert.ok(r.ok, JSON.stringify(r.messages));
    assert.deepEqual(r.config.pools[0]?.env, { P: '/bin', Q: '' });
    assert.equal(r.config.pools[0]?.pingPath, '/ping');
  });

  it('re-opens a pool case-insensitively; the last definition wins', () => {
    const { r } = load({ 'main.conf': `[www]\n${POOL_OK}[global]\nlog_level = debug\n[WWW]\npm.max_children = 7\n` });
    assert.ok(r.ok, JSON.stringify(r.messages));
    assert.equal(r.config.pools.length, 1);
    assert.equal(r.config.pools[0]?.pm.maxChildren, 7);
    assert.equal(r.config.global.logLevel, 'debug');
  });

  it('warns once per ignored directive, naming it and why; php_flag values become 1/0', () => {
    const { r } = load({
      'main.conf': `[www]\n${POOL_OK}php_flag[display_errors] = off\nphp_admin_value[memory_limit] = 64M\nchroot = /srv\nchroot = /srv2\n[global]\nevents.mechanism = epoll\n`,
    });
    assert.ok(r.ok);
    assert.deepEqual(
      r.messages.map((m) => m.message.replace(/ \(at .*\)$/, '')),
      [
        "[pool www] 'php_flag[display_errors]' is ignored: tsfpm runs JavaScript, not PHP",
        "[pool www] 'php_admin_value[memory_limit]' is ignored: tsfpm runs JavaScript, not PHP",
        "[pool www] 'chroot' is ignored: Node.js has no chroot(2); the children are NOT confined (use a container or systemd RootDirectory=)",
        "'events.mechanism' is ignored: Node.js (libuv) always picks the best event mechanism of the platform itself",
      ],
    );
    assert.ok(r.messages.every((m) => m.level === 'warning'));
    assert.deepEqual(r.config.pools[0]?.phpValues, { display_errors: '0' });
    assert.equal(r.config.pools[0]?.chroot, '/srv2');
  });

  it("sets pm.start_servers with php-fpm's notice, and zeroes spare settings for static", () => {
    const { r } = load({
      'main.conf':
        '[www]\nlisten = 9000\npm = dynamic\npm.max_children = 9\npm.min_spare_servers = 2\npm.max_spare_servers = 7\n',
    });
    assert.ok(r.ok);
    assert.equal(r.config.pools[0]?.pm.startServers, 4);
    assert.deepEqual(
      r.messages.map((m) => `${m.level}: ${m.message}`),
      ["notice: [pool www] pm.start_servers is not set. It's been set to 4."],
    );
  });

  it('allowed_clients: a bad entry is a warning with its line; none valid means refuse all', () => {
    const { dir, r } = load({ 'main.conf': `[www]\n${POOL_OK}listen.allowed_clients = nope\n` });
    assert.ok(r.ok);
    assert.deepEqual(r.config.pools[0]?.listen.allowedClients, []);
    assert.deepEqual(
      r.messages.map((m) => m.message),
      [
        `[${dir}/main.conf:5] Wrong IP address 'nope' in listen.allowed_clients`,
        `[${dir}/main.conf:5] There are no allowed addresses: every TCP connection will be refused`,
      ],
    );
  });

  it("reports a missing -p prefix with php-fpm's text", () => {
    const r = loadConfig({ configFile: '/nonexistent/x.conf', prefix: '/nonexistent/prefix', ...NOT_ROOT });
    assert.deepEqual(
      r.messages.map((m) => m.message),
      ["the global prefix '/nonexistent/prefix' does not exist or is not a directory"],
    );
  });
});
