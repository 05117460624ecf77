// Property: the effective config does not depend on CRLF vs LF, trailing whitespace,
// or where comments are placed (own lines, blank lines, or after a value).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../../../src/config/load.js';
import { NOT_ROOT, writeTree } from './fixture-dir.js';

const entry = fc.oneof(
  fc.integer({ min: 1, max: 50 }).map((n) => `pm.max_children = ${n}`),
  fc.integer({ min: 0, max: 9999 }).map((n) => `pm.max_requests = ${n}`),
  fc
    .tuple(fc.integer({ min: 0, max: 99 }), fc.constantFrom('', 's', 'm', 'h'))
    .map(([n, u]) => `request_terminate_timeout = ${n}${u}`),
  fc.constantFrom('yes', 'no', 'On', 'off', 'true', 'FALSE', '"yes"').map((b) => `catch_workers_output = ${b}`),
  fc.stringMatching(/^[a-z0-9_]{1,8}$/).map((s) => `ping.path = /${s}`),
  fc.stringMatching(/^[a-z %]{0,12}$/).map((s) => `access.format = "${s} \\"%m\\""`),
  fc
    .tuple(fc.stringMatching(/^[A-Z]{1,6}$/), fc.stringMatching(/^[a-z0-9/#]{1,10}$/))
    .map(([k, v]) => `env[${k}] = ${v}`),
  fc.constantFrom('127.0.0.1', '127.0.0.1, ::1').map((v) => `listen.allowed_clients = ${v}`),
  fc.constantFrom('.js', '.js .mjs', "'.cjs'").map((v) => `security.limit_extensions = ${v}`),
);

const decoration = fc.record({
  crlf: fc.boolean(),
  trailing: fc.constantFrom('', ' ', '\t', ' \t  '),
  inline: fc.constantFrom('', ' ; note', ';x', '\t; a = b'),
  before: fc.array(fc.constantFrom('', '; comment', '  ;; indented comment', ';listen = 1.2.3.4:5'), { maxLength: 2 }),
});

function render(
  lines: readonly string[],
  decor: ReadonlyArray<{ crlf: boolean; trailing: string; inline: string; before: string[] }> | undefined,
): string {
  return lines
    .map((l, i) => {
      const d = decor?.[i];
      if (!d) return `${l}\n`;
      const eol = d.crlf ? '\r\n' : '\n';
      const pre = d.before.map((b) => `${b}${eol}`).join('');
      const inline = l.startsWith('[') || l.includes('=') ? d.inline : '';
      return `${pre}${l}${inline}${d.trailing}${eol}`;
    })
    .join('');
}

describe('parsing is insensitive to line endings, trailing whitespace and comments', () => {
  it('holds for random pools', () => {
    const dir = writeTree({});
    const file = (n: string): string => `${dir}/${n}.conf`;
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 12 }),
        fc.array(decoration, { minLength: 20, maxLength: 20 }),
        (entries, decor) => {
          const lines = [
            '[global]',
            'log_level = notice',
            '[www]',
            'listen = 127.0.0.1:9000',
            'pm = static',
            ...entries,
          ];
          writeFileSync(file('plain'), render(lines, undefined));
          writeFileSync(file('decorated'), render(lines, decor));
          const a = loadConfig({ configFile: file('plain'), ...NOT_ROOT });
          const b = loadConfig({ configFile: file('decorated'), ...NOT_ROOT });
          assert.equal(b.ok, a.ok);
          if (a.ok && b.ok) {
            assert.deepEqual(
              { ...b.config, global: { ...b.config.global, configFile: '' } },
              { ...a.config, global: { ...a.config.global, configFile: '' } },
            );
          }
          // Messages only differ by file name and line numbers.
          const strip = (s: string): string => s.replace(/\/[^ :'"]*\.conf(:\d+)?/g, 'F').replace(/at line \d+/g, '');
          assert.deepEqual(
            b.messages.map((m) => strip(m.message)),
            a.messages.map((m) => strip(m.message)),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
