// Each typed setter with php-fpm's error texts (php-src sapi/fpm/fpm/fpm_conf.c fpm_conf_set_boolean(),
// fpm_conf_set_time() and the rest).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from '../../../src/config/value-types.js';
import type { ParseResult } from '../../../src/config/value-types.js';

const value = <T>(r: ParseResult<T>): T => {
  assert.ok(r.ok, `expected ok, got ${JSON.stringify(r)}`);
  return r.value;
};
const error = <T>(r: ParseResult<T>): string => {
  assert.ok(!r.ok, `expected an error, got ${JSON.stringify(r)}`);
  return r.error;
};

describe('value types', () => {
  it('bool: 1/empty from the lexer and the GH-13563 literal words', () => {
    for (const s of ['1', 'yes', 'true', 'on', 'YES']) assert.equal(value(t.bool.parse(s)), true, s);
    for (const s of ['', '0', 'no', 'none', 'false', 'off']) assert.equal(value(t.bool.parse(s)), false, s);
    assert.equal(error(t.bool.parse('maybe')), 'invalid boolean value');
    assert.equal(t.bool.format(true), 'yes');
  });

  it('int: optional minus and digits, empty is 0 (atoi), anything else rejected', () => {
    assert.equal(value(t.int().parse('42')), 42);
    assert.equal(value(t.int().parse('-1')), -1);
    assert.equal(value(t.int().parse('')), 0);
    assert.equal(error(t.int().parse('5x')), 'is not a valid number (greater or equal than zero)');
    assert.equal(error(t.int().parse('1.5')), 'is not a valid number (greater or equal than zero)');
    assert.equal(error(t.int({ min: 0 }).parse('-3')), 'is out of range (must be >= 0)');
  });

  it('time: s/m/h/d suffixes to milliseconds, php-fpm texts on errors', () => {
    assert.equal(value(t.time.parse('30')), 30_000);
    assert.equal(value(t.time.parse('30s')), 30_000);
    assert.equal(value(t.time.parse('2m')), 120_000);
    assert.equal(value(t.time.parse('1h')), 3_600_000);
    assert.equal(value(t.time.parse('1d')), 86_400_000);
    assert.equal(error(t.time.parse('')), 'invalid time value');
    assert.equal(error(t.time.parse('10x')), 'unknown suffix used in time value');
    // php-fpm's atoi would read these as 60s and 0s; we refuse instead of guessing
    assert.equal(error(t.time.parse('1.5m')), 'invalid time value');
    assert.equal(error(t.time.parse('a5')), 'invalid time value');
    assert.equal(t.time.format(90_000), '90s');
  });

  it('size: k/K/m/M/g/G suffixes to bytes', () => {
    assert.equal(value(t.size.parse('512')), 512);
    assert.equal(value(t.size.parse('8k')), 8192);
    assert.equal(value(t.size.parse('1M')), 1_048_576);
    assert.equal(value(t.size.parse('2g')), 2 * 1024 ** 3);
    assert.equal(error(t.size.parse('1MB')), 'invalid size value');
  });

  it('octal mode', () => {
    assert.equal(value(t.octalMode.parse('0660')), 0o660);
    assert.equal(value(t.octalMode.parse('600')), 0o600);
    assert.equal(error(t.octalMode.parse('0680')), 'invalid octal mode');
    assert.equal(t.octalMode.format(0o660), '0660');
  });

  it("rlimit_core: 'unlimited' or a number >= 0", () => {
    assert.equal(value(t.rlimitCore.parse('Unlimited')), 'unlimited');
    assert.equal(value(t.rlimitCore.parse('0')), 0);
    assert.equal(error(t.rlimitCore.parse('-1')), "must be greater than zero or 'unlimited'");
  });

  it('pm, log_level, syslog.facility', () => {
    assert.equal(value(t.pmStyle.parse('Dynamic')), 'dynamic');
    assert.equal(error(t.pmStyle.parse('auto')), 'invalid process manager (static, dynamic or ondemand)');
    assert.equal(value(t.logLevel.parse('WARN')), 'warning');
    assert.equal(error(t.logLevel.parse('info')), "invalid value for 'log_level'");
    assert.equal(t.logLevel.format('warning'), 'WARNING');
    assert.equal(value(t.syslogFacility.parse('LOCAL3')), 'local3');
    assert.equal(t.syslogFacility.format('daemon'), '24');
    assert.equal(error(t.syslogFacility.parse('foo')), 'invalid value');
  });

  it('address list: bad entries warn, none valid = fail closed', () => {
    const good = t.addressList.parse('127.0.0.1, ::1');
    assert.deepEqual(value(good), ['127.0.0.1', '::1']);
    const some = t.addressList.parse('127.0.0.1,10.0.0.300');
    assert.ok(some.ok);
    assert.deepEqual(some.value, ['127.0.0.1']);
    assert.deepEqual(some.warnings, ["Wrong IP address '10.0.0.300' in listen.allowed_clients"]);
    const none = t.addressList.parse('localhost');
    assert.ok(none.ok);
    assert.deepEqual(none.value, []);
    assert.equal(none.warnings?.[1], 'There are no allowed addresses: every TCP connection will be refused');
  });

  it('extension list: entries must start with a dot; empty allows everything', () => {
    assert.deepEqual(value(t.extensionList.parse('.js\t.mjs  .cjs')), ['.js', '.mjs', '.cjs']);
    assert.deepEqual(value(t.extensionList.parse('')), []);
    assert.equal(error(t.extensionList.parse('.js mjs')), "extension 'mjs' must start with a dot");
  });

  it('enums of the tsfpm additions', () => {
    const handler = t.oneOf(['auto', 'fetch', 'node', 'cgi'] as const);
    assert.equal(value(handler.parse('FETCH')), 'fetch');
    assert.equal(error(handler.parse('php')), 'invalid value (must be one of auto, fetch, node, cgi)');
  });
});
