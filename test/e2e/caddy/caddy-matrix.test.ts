// Caddy 2 in front of tsfpm through the whole behaviour matrix, in its two FastCGI forms:
// `php_fastcgi` (unix socket; `split .mjs`, `index off` and `try_files {path}` replace its PHP
// defaults) and `reverse_proxy` with `transport fastcgi` (TCP). One daemon serves both.
import { after } from 'node:test';
import { startCaddy } from '../../helpers/caddy.js';
import { describeMatrix } from '../matrix/behaviour-matrix.js';
import { makeMatrixDocroot } from '../matrix/docroot.js';
import { startMatrixDaemon, type MatrixDaemon } from '../matrix/matrix-daemon.js';
import { missingToolReason, SuiteScope } from '../matrix/suite-scope.js';

const skip = missingToolReason('caddy', 'caddy');
const fileScope = new SuiteScope();
after(() => fileScope.runAll());

let backend: Promise<MatrixDaemon & { readonly docroot: string }> | undefined;
const startBackend = (): Promise<MatrixDaemon & { readonly docroot: string }> =>
  (backend ??= (async () => ({ ...(await startMatrixDaemon(fileScope)), docroot: makeMatrixDocroot(fileScope) }))());

const FORMS: readonly [string, (d: MatrixDaemon) => string][] = [
  [
    'php_fastcgi over a unix socket',
    (d) => `php_fastcgi unix/${d.unix.path} {
  split .mjs
  index off
  try_files {path}
}`,
  ],
  [
    'reverse_proxy with transport fastcgi over TCP',
    (d) => `@scripts path *.mjs *.mjs/*
reverse_proxy @scripts 127.0.0.1:${d.tcp.port} {
  transport fastcgi {
    split .mjs
  }
}`,
  ],
];

for (const [form, routes] of FORMS) {
  describeMatrix(`Caddy → tsfpm: ${form}`, {
    skip,
    abortReachesScript: false,
    start: async (scope) => {
      const b = await startBackend();
      const caddy = await startCaddy(scope, { root: b.docroot, routes: routes(b) });
      if (caddy === undefined) throw new Error('caddy is missing (the suite should have been skipped)');
      return { fpm: b.fpm, url: (path) => `${caddy.baseUrl}/${path}`, dump: () => caddy.dump() };
    },
  });
}
