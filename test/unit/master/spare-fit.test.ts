// Which pools a spare child can become and how many spares a configuration keeps
// (src/master/spare-fit.ts): a spare is a Node process already started, so a pool whose node.flags
// or start-up variables (NODE_OPTIONS...) differ must start its children itself.
import assert from 'node:assert/strict';
import test from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import type { FpmConfig } from '../../../src/config/types.js';
import { planSpares, spareAssignment, spareEnvironment, spareFits } from '../../../src/master/spare-fit.js';
import { NOT_ROOT, writeTree } from '../config/fixture-dir.js';

function configOf(text: string): FpmConfig {
  const dir = writeTree({ 'main.conf': text });
  const result = loadConfig({ configFile: `${dir}/main.conf`, ...NOT_ROOT });
  assert.ok(result.ok, JSON.stringify(result.messages));
  return result.config;
}

let port = 9000;
const pool = (name: string, lines: string): string =>
  `[${name}]\nlisten = 127.0.0.1:${++port}\npm.max_children = 2\n${lines}\n`;

test('spares are kept only for ondemand and dynamic pools, process.spare_children of them; 0 keeps none', () => {
  assert.equal(planSpares(configOf(pool('static', 'pm = static')), {}).count, 0, 'static pools take no spare');
  const ondemand = pool('site', 'pm = ondemand');
  assert.equal(planSpares(configOf(ondemand), {}).count, 1, 'the default');
  assert.equal(planSpares(configOf(`[global]\nprocess.spare_children = 3\n${ondemand}`), {}).count, 3);
  assert.equal(planSpares(configOf(`[global]\nprocess.spare_children = 0\n${ondemand}`), {}).count, 0);
});

test("the spares get the node.flags most ondemand and dynamic pools share; other pools' children start as before", () => {
  const config = configOf(
    [
      pool('a', 'pm = ondemand\nnode.flags = --max-old-space-size=64'),
      pool('b', 'pm = ondemand\nnode.flags = --max-old-space-size=64'),
      pool('c', 'pm = ondemand'),
    ].join('\n'),
  );
  const plan = planSpares(config, {});
  assert.deepEqual(plan.nodeFlags, ['--max-old-space-size=64']);
  const [a, b, c] = config.pools;
  assert.ok(a !== undefined && b !== undefined && c !== undefined);
  assert.equal(spareFits(a, plan.nodeFlags, {}), true);
  assert.equal(spareFits(b, plan.nodeFlags, {}), true);
  assert.equal(spareFits(c, plan.nodeFlags, {}), false, 'other flags');
});

test('a pool whose children read a start-up variable (NODE_OPTIONS) that a spare lacks starts its own', () => {
  const config = configOf(pool('opts', 'pm = ondemand\nenv[NODE_OPTIONS] = --enable-source-maps'));
  const [opts] = config.pools;
  assert.ok(opts !== undefined);
  assert.equal(spareFits(opts, opts.nodeFlags, {}), false);
  assert.equal(planSpares(config, {}).count, 0, 'no pool could use a spare');
  // clear_env = no passes the master's environment on: the master's NODE_OPTIONS rules it out too.
  const inherit = configOf(pool('inherit', 'pm = ondemand\nclear_env = no')).pools[0];
  assert.ok(inherit !== undefined);
  assert.equal(spareFits(inherit, inherit.nodeFlags, { NODE_OPTIONS: '--inspect' }), false);
  assert.equal(spareFits(inherit, inherit.nodeFlags, { HOME: '/root' }), true);
});

test("a spare starts with none of the master's environment and is given the pool's whole environment and directory", () => {
  assert.deepEqual(spareEnvironment({ HOME: '/root', SECRET: 'x' }), {});
  assert.deepEqual(spareEnvironment({ TSFPM_NET_SOCKETS: '1', SECRET: 'x' }), { TSFPM_NET_SOCKETS: '1' });
  const site = configOf(pool('site', 'pm = ondemand\nchdir = /srv\nenv[SITE] = one')).pools[0];
  assert.ok(site !== undefined);
  const assignment = spareAssignment(site, { SECRET: 'x', NODE_CHANNEL_FD: '3' });
  assert.equal(assignment.cwd, '/srv');
  assert.equal(assignment.env['SITE'], 'one');
  assert.equal(assignment.env['SECRET'], undefined, 'clear_env');
  assert.equal(assignment.env['NODE_CHANNEL_FD'], undefined);
});
