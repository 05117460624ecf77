// nginx in front of tsfpm through the same behaviour matrix as Apache httpd and Caddy: a
// unix socket with a new connection per request, and TCP with `fastcgi_keep_conn on` + upstream
// `keepalive`. (test/e2e/nginx holds nginx's own cases: split_path_info, try_files, abort details.)
import { after } from 'node:test';
import { startNginx } from '../../helpers/nginx.js';
import { describeMatrix } from './behaviour-matrix.js';
import { makeMatrixDocroot } from './docroot.js';
import { startMatrixDaemon, type MatrixDaemon } from './matrix-daemon.js';
import { missingToolReason, SuiteScope } from './suite-scope.js';

const skip = missingToolReason('nginx', 'nginx');
const fileScope = new SuiteScope();
after(() => fileScope.runAll());

let backend: Promise<MatrixDaemon & { readonly docroot: string }> | undefined;
const startBackend = (): Promise<MatrixDaemon & { readonly docroot: string }> =>
  (backend ??= (async () => ({ ...(await startMatrixDaemon(fileScope)), docroot: makeMatrixDocroot(fileScope) }))());

for (const keepalive of [false, true]) {
  describeMatrix(`nginx → tsfpm: ${keepalive ? 'TCP, fastcgi_keep_conn on + upstream keepalive' : 'unix socket'}`, {
    skip,
    abortReachesScript: true,
    start: async (scope) => {
      const b = await startBackend();
      const nginx = await startNginx(scope, { upstream: keepalive ? b.tcp : b.unix, root: b.docroot, keepalive });
      if (nginx === undefined) throw new Error('nginx is missing (the suite should have been skipped)');
      return { fpm: b.fpm, url: (path) => `${nginx.baseUrl}/${path}`, dump: () => nginx.dump() };
    },
  });
}
