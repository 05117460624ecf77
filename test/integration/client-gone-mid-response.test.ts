// A web server that closes the connection while the script is still writing (the client
// went away) is no WARNING or ERROR: nothing failed on tsfpm's side (at most a NOTICE when a write
// fails before the close is seen), the CGI process killed for it is no "exited with status SIGKILL",
// and the child goes on serving. Each mode writes a 5 MiB response that the client drops after its
// first record, closing at once or first ending its side.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { daemonTest } from '../helpers/daemon.js';
import { encodeRequest } from '../helpers/fcgi-client.js';
import { FIXTURE_SCRIPTS } from '../helpers/paths.js';

const MODES = [
  { mode: 'cgi', poolExtra: 'handler = cgi\nsecurity.limit_extensions = .cgi\n', big: 'big.cgi', hello: 'hello.cgi' },
  { mode: 'node', poolExtra: 'handler = node\n', big: 'big.mjs', hello: 'hello.mjs' },
  { mode: 'fetch', poolExtra: 'handler = fetch\n', big: 'big.mjs', hello: 'hello.mjs' },
] as const;

for (const { mode, poolExtra, big, hello } of MODES) {
  const dir = join(FIXTURE_SCRIPTS, 'modes', mode);
  daemonTest(
    `${mode} mode: connections closed while ${big} writes 5 MiB log no warning or error, the child serves on`,
    {
      vars: { MAX_CHILDREN: '1', POOL_EXTRA: poolExtra },
    },
    async (_t, fpm) => {
      for (let round = 0; round < 5; round++) {
        const conn = await fpm.connect();
        await conn.write(encodeRequest({ scriptFilename: join(dir, big) }));
        const first = await conn.nextRecord(10_000);
        assert.ok(first !== undefined, 'the response began');
        conn.destroy();
      }
      // The close as the child sees it first when it reads the end of the stream before a write fails:
      // the web server's side ends while the script is still writing (then the socket goes).
      for (let round = 0; round < 3; round++) {
        const conn = await fpm.connect();
        await conn.write(encodeRequest({ scriptFilename: join(dir, big) }));
        assert.ok((await conn.nextRecord(10_000)) !== undefined, 'the response began');
        conn.end();
        await new Promise((resolve) => setTimeout(resolve, 50));
        conn.destroy();
      }
      // Served after the dropped ones were cleaned up: their log lines, if any, are in by then.
      for (let i = 0; i < 2; i++) {
        const after = await fpm.request({ script: join(dir, hello) });
        assert.equal(after.status, 200);
      }
      const problems = fpm.log.lines.filter((line) => / (WARNING|ERROR|ALERT): /.test(line));
      assert.deepEqual(problems, [], 'no warning or error logged for a client that went away');
    },
  );
}
