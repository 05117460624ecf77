// node.flags: the children run with the pool's Node options; by default a small V8 young generation
// (2 MB semi-spaces), which keeps an idle child ~25 MB smaller than Node's default of 16 MB.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';

interface ChildFlags {
  readonly execArgv: string[];
  readonly newSpaceBytes: number;
}

async function childFlags(fpm: {
  request(o: { script: string }): Promise<{ status: number; body: Buffer }>;
}): Promise<ChildFlags> {
  const res = await fpm.request({ script: 'exec-argv.mjs' });
  assert.equal(res.status, 200);
  return JSON.parse(res.body.toString()) as ChildFlags;
}

daemonTest(
  'node.flags default: children run with --max-semi-space-size=2',
  { vars: { MAX_CHILDREN: '1' } },
  async (_t, fpm) => {
    const flags = await childFlags(fpm);
    assert.ok(flags.execArgv.includes('--max-semi-space-size=2'), flags.execArgv.join(' '));
    // Two semi-spaces of at most 2 MB each (Node's default would allow 16 MB each).
    assert.ok(flags.newSpaceBytes <= 4 * 2 ** 20, `new space ${flags.newSpaceBytes} bytes`);
  },
);

daemonTest(
  'node.flags set: children run with exactly those options',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: 'node.flags = --max-old-space-size=300 --stack-trace-limit=50\n' },
  },
  async (_t, fpm) => {
    const flags = await childFlags(fpm);
    assert.ok(flags.execArgv.includes('--max-old-space-size=300'), flags.execArgv.join(' '));
    assert.ok(flags.execArgv.includes('--stack-trace-limit=50'), flags.execArgv.join(' '));
    assert.ok(!flags.execArgv.includes('--max-semi-space-size=2'), 'the default is replaced');
  },
);
