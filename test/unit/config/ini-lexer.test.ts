// Quirks of PHP's INI lexer (php-src Zend/zend_ini_scanner.l) that php-fpm's files rely on: each with the
// exact value or error text and line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeValue, lexIni, type IniToken } from '../../../src/config/ini-lexer.js';

const env =
  (vars: Record<string, string> = {}) =>
  (name: string): string | undefined =>
    vars[name];
const lex = (text: string, vars: Record<string, string> = {}) => lexIni(text, '/x/a.conf', env(vars));
const entries = (tokens: IniToken[]) =>
  tokens.map((t) =>
    t.kind === 'section'
      ? `[${t.name}]@${t.line}`
      : `${t.name}${t.key === undefined ? '' : `[${t.key}]`}=${t.value ?? '<null>'}@${t.line}`,
  );

describe('ini lexer', () => {
  it('keeps `[name] ; comment` a section header (the ini package makes it a key)', () => {
    const r = lex('a = 1\n[www]  ; pool comment\nlisten = 9000\n');
    assert.deepEqual(entries(r.tokens), ['a=1@1', '[www]@2', 'listen=9000@3']);
    assert.deepEqual(r.errors, []);
  });

  it('treats # as literal text, not a comment', () => {
    const r = lex('listen = /run/php/www#1.sock\n');
    assert.deepEqual(entries(r.tokens), ['listen=/run/php/www#1.sock@1']);
  });

  it('reports a #-line as an entry without value (php 7+ has no # comments)', () => {
    assert.deepEqual(entries(lex('# old comment\n').tokens), ['# old comment=<null>@1']);
  });

  it('strips ; comments outside quotes, keeps ; inside quotes', () => {
    assert.equal(decodeValue(' 10s; trailing', env()), '10s');
    assert.equal(decodeValue(' "a;b" ; c', env()), 'a;b');
    assert.equal(decodeValue(" 'x;y'", env()), 'x;y');
  });

  it('trims unquoted values and keeps inner spaces', () => {
    assert.equal(decodeValue('   a  b   ', env()), 'a  b');
  });

  it('decodes double quotes with \\" \\\\ \\$ escapes and leaves other backslashes', () => {
    assert.equal(decodeValue(String.raw` "%R \"%m %r\" %s"`, env()), '%R "%m %r" %s');
    assert.equal(decodeValue(String.raw` "C:\logs\slow.log"`, env()), String.raw`C:\logs\slow.log`);
    assert.equal(decodeValue(' "a\\\\b\\${X}"', env({ X: 'no' })), 'a\\b${X}');
  });

  it('keeps single quotes raw: no escapes, no expansion', () => {
    assert.equal(decodeValue(" '\\\"${HOME}'", env({ HOME: '/h' })), '\\"${HOME}');
  });

  it('expands ${VAR} unquoted and in double quotes, missing = empty, ${VAR:-default}', () => {
    const e = env({ HOME: '/home/u', EMPTY: '' });
    assert.equal(decodeValue(' ${HOME}/app', e), '/home/u/app');
    assert.equal(decodeValue(' "${HOME}/app"', e), '/home/u/app');
    assert.equal(decodeValue(' x${NOPE}y', e), 'xy');
    assert.equal(decodeValue(' ${NOPE:-fallback}', e), 'fallback');
    assert.equal(decodeValue(' ${EMPTY:-fallback}', e), 'fallback');
    assert.equal(decodeValue(' ${HOME:-fallback}', e), '/home/u');
  });

  it('maps unquoted boolean words, case-insensitively; quoted and ${VAR} values stay literal', () => {
    for (const w of ['yes', 'On', 'TRUE']) assert.equal(decodeValue(` ${w}`, env()), '1', w);
    for (const w of ['no', 'Off', 'false', 'none', 'NULL']) assert.equal(decodeValue(` ${w}`, env()), '', w);
    assert.equal(decodeValue(' "yes"', env()), 'yes');
    assert.equal(decodeValue(' ${B}', env({ B: 'no' })), 'no');
    assert.equal(decodeValue(' yes please', env()), 'yes please');
  });

  it('parses name[key] and name[] array entries', () => {
    const r = lex('env[PATH] = /bin\naccess.suppress_path[] = /ping\nphp_value[ "x" ] = 1\n');
    assert.deepEqual(entries(r.tokens), ['env[PATH]=/bin@1', 'access.suppress_path[]=/ping@2', 'php_value[x]=1@3']);
  });

  it('keeps = inside values', () => {
    assert.deepEqual(entries(lex('env[QS] = a=b&c=d\n').tokens), ['env[QS]=a=b&c=d@1']);
  });

  it('handles CRLF, lone CR and blank lines with stable line numbers', () => {
    const r = lex('[www]\r\n\r\nlisten = 9000\r\npm = static\r');
    assert.deepEqual(entries(r.tokens), ['[www]@1', 'listen=9000@3', 'pm=static@4']);
  });

  it('does not nest dotted section names', () => {
    assert.deepEqual(entries(lex('[example.com]\n').tokens), ['[example.com]@1']);
  });

  it('reports syntax errors with their line and keeps going', () => {
    const r = lex('[www\nlisten = "open\nok = 1\n= 3\nx[ = 1\n[www] junk\ny = ${BAD\n');
    assert.deepEqual(
      r.errors.map((e) => `${e.line}: ${e.message}`),
      [
        "1: syntax error, section header '[www' has no closing ']'",
        '2: syntax error, unterminated double-quoted string "open',
        "4: syntax error, unexpected '=' (a directive name is missing before '=')",
        "5: syntax error, malformed array entry 'x[' (expected 'name[key]' or 'name[]')",
        "6: syntax error, unexpected 'junk' after section header '[www]'",
        "7: syntax error, unterminated '${' in '${BAD'",
      ],
    );
    assert.deepEqual(entries(r.tokens), ['ok=1@3']);
    assert.ok(r.errors.every((e) => e.file === '/x/a.conf'));
  });

  it('gives a line without = a null value (php-fpm: value is NULL)', () => {
    assert.deepEqual(entries(lex('flagonly\nother ; = x\n').tokens), ['flagonly=<null>@1', 'other=<null>@2']);
  });
});
