// A child that dies (SIGKILL) is logged and replaced; the pool is back to full size and serves.
import assert from 'node:assert/strict';
import { daemonTest } from '../helpers/daemon.js';
import { isAlive } from '../helpers/proc.js';
import { waitFor } from '../helpers/wait-for.js';

daemonTest(
  'a child killed with SIGKILL is logged, replaced by a new child, and service continues',
  {
    vars: { MAX_CHILDREN: '2' },
  },
  async (_t, fpm) => {
    const children = fpm.liveChildren();
    assert.equal(children.length, 2, `two children after start: ${children.join(', ')}`);
    const victim = children[0] ?? 0;
    const mark = fpm.logMark;
    process.kill(victim, 'SIGKILL');

    const died = await fpm.expectLog(
      new RegExp(
        `WARNING: \\[pool www\\] child ${victim} exited on signal 9 \\(SIGKILL\\) after \\d+\\.\\d+ seconds from start`,
      ),
      { from: mark },
    );
    const replaced = await fpm.expectLog(/NOTICE: \[pool www\] child (\d+) started/, { from: died.index + 1 });
    const newPid = Number(replaced.match[1]);
    assert.notEqual(newPid, victim);
    assert.equal(isAlive(victim), false);
    await waitFor(() => fpm.liveChildren().length === 2, { what: 'two live children again' });

    // Every request succeeds; over enough tries both children (including the new one) answer.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        // A few at once, so that an idle child is not always beaten to accept() by the same one.
        const batch = await Promise.all(Array.from({ length: 4 }, () => fpm.request({ script: 'pid.mjs' })));
        for (const res of batch) {
          assert.equal(res.status, 200);
          seen.add(res.body.toString());
        }
        return seen.has(String(newPid));
      },
      { timeoutMs: 15_000, intervalMs: 1, what: `a response from the new child ${newPid}` },
    );
    assert.equal(seen.has(String(victim)), false);
  },
);
