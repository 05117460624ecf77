// Output held while the request body arrives spills to an unlinked temporary file. If that file
// cannot be read back when the body is in (here: it is truncated from outside, as a failing disk
// would lose it), the child must not send END_REQUEST after the gap (the web server would pass a cut
// response as whole): it logs an ERROR and closes the connection, and serves the next request.
import assert from 'node:assert/strict';
import { statSync, truncateSync } from 'node:fs';
import { FCGI_END_REQUEST, FCGI_STDIN } from '../../src/fastcgi/constants.js';
import { encodeRecord } from '../../src/fastcgi/record.js';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';
import { openFilesOf, poolChildrenOf } from '../helpers/proc.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

/** /proc paths of the pool children's open files under `dir` whose name starts with `tsfpm-out-`. */
const heldOutputFiles = (master: number | undefined, dir: string): string[] =>
  (master === undefined ? [] : poolChildrenOf(master))
    .flatMap(openFilesOf)
    .filter((file) => file.target.startsWith(`${dir}/tsfpm-out-`))
    .map((file) => file.fdPath);

const spill = makeTempDir('tsfpm-spill-');

daemonTest(
  'held output that cannot be read back: ERROR, connection closed without END_REQUEST, the child serves on',
  {
    vars: { MAX_CHILDREN: '1', POOL_EXTRA: `fastcgi.output_buffer_size = 64K\nenv[TMPDIR] = ${spill.path}\n` },
  },
  async (t, fpm) => {
    t.after(() => spill.remove());
    const body = Buffer.alloc(2 * 1024 * 1024, 0x62);
    const whole = encodeRequest({ scriptFilename: fpm.script('echo.mjs'), method: 'POST', body });
    const lastStdin = encodeRecord(FCGI_STDIN, 1);
    assert.ok(
      whole.subarray(whole.length - lastStdin.length).equals(lastStdin),
      'the request ends with the empty STDIN record',
    );
    const conn = await fpm.connect();
    // Everything but the end of the body: the echo is held, beyond 64K in the file.
    await conn.write(whole.subarray(0, whole.length - lastStdin.length));
    const [file] = await waitFor(
      () => {
        const files = heldOutputFiles(fpm.process.pid, spill.path);
        return files.length === 1 ? files : undefined;
      },
      { timeoutMs: 10_000, what: 'the held output file' },
    );
    assert.ok(file !== undefined);
    // The echo catches up with the upload: all but the first 64K (held in memory) is in the file, and
    // it stops growing. Cut earlier, later writes would land past the cut, and the hole would read back
    // as zeros instead of failing.
    let last = { size: -1, since: Date.now() };
    await waitFor(
      () => {
        const size = statSync(file).size;
        if (size !== last.size) last = { size, since: Date.now() };
        return size >= body.length - 64 * 1024 && Date.now() - last.since >= 500;
      },
      { timeoutMs: 20_000, what: 'the whole echo in the file' },
    );
    truncateSync(file, 0);
    await conn.write(lastStdin);
    const result = await conn.readUntilEnd(1, 10_000);
    assert.equal(result.closedEarly, true, 'the connection was closed');
    assert.equal(
      result.records.some((r) => r.type === FCGI_END_REQUEST),
      false,
      'no END_REQUEST after the gap',
    );
    await fpm.log.expect(
      /ERROR: \[pool www\] the held response could not be read back, closing the connection: .*ended early/,
    );
    const after = await fpm.request({ script: 'echo.mjs', method: 'POST', body: 'still serving' });
    assert.equal(after.body.toString(), 'still serving');
  },
);
