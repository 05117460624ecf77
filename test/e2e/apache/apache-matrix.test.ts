// Apache httpd 2.4 (mpm_event + mod_proxy_fcgi) in front of tsfpm, in the four forms people
// run, each through the whole behaviour matrix; one daemon (a unix pool and a TCP pool) and one Apache
// serve them all:
//   /<script>          FilesMatch + SetHandler "proxy:unix:SOCK|fcgi://localhost"
//   /h-tcp/<script>    SetHandler "proxy:fcgi://127.0.0.1:PORT", with a <Proxy> worker enablereuse=on
//   /pm-tcp/<script>   ProxyPassMatch ... fcgi://127.0.0.1:PORT/DOCROOT/$1 enablereuse=on
//   /pm-unix/<script>  ProxyPassMatch ... unix:SOCK|fcgi://localhost/DOCROOT/$1 enablereuse=on
// Plus what Apache really sends as SCRIPT_FILENAME/PATH_INFO and what the script sees after tsfpm's
// PHP-FPM-style handling (php-src sapi/fpm/fpm/fpm_main.c init_request_info()), checked against
// php-fpm 8.2 by hand on Apache 2.4.71.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startApache, type Apache } from '../../helpers/apache.js';
import { httpRequest } from '../../helpers/http-client.js';
import { describeMatrix } from '../matrix/behaviour-matrix.js';
import { makeMatrixDocroot } from '../matrix/docroot.js';
import { startMatrixDaemon, type MatrixDaemon } from '../matrix/matrix-daemon.js';
import { missingToolReason, SuiteScope } from '../matrix/suite-scope.js';

const skip = missingToolReason('apache2', 'apache2');
const fileScope = new SuiteScope();
after(() => fileScope.runAll());

interface Backend extends MatrixDaemon {
  readonly docroot: string;
}

let backend: Promise<Backend> | undefined;

/** The daemon and docroot, shared by every suite in this file. */
function startBackend(): Promise<Backend> {
  backend ??= (async () => {
    const daemon = await startMatrixDaemon(fileScope);
    // Apache's workers run as www-data: let them through the daemon's dir to its socket.
    chmodSync(daemon.fpm.dir.path, 0o711);
    return { ...daemon, docroot: makeMatrixDocroot(fileScope) };
  })();
  return backend;
}

function apacheRoutes(daemon: MatrixDaemon, docroot: string): string {
  const tcp = `127.0.0.1:${daemon.tcp.port}`;
  const sock = daemon.unix.path;
  const script = '(.*\\.mjs(?:/.*)?)';
  return `<FilesMatch "\\.mjs$">
  SetHandler "proxy:unix:${sock}|fcgi://localhost"
</FilesMatch>

Alias /h-tcp ${docroot}
<LocationMatch "^/h-tcp/.*\\.mjs(/|$)">
  SetHandler "proxy:fcgi://${tcp}"
</LocationMatch>
<Proxy "fcgi://${tcp}">
  ProxySet enablereuse=on
</Proxy>

ProxyPassMatch "^/pm-tcp/${script}$" "fcgi://${tcp}${docroot}/$1" enablereuse=on
ProxyPassMatch "^/pm-unix/${script}$" "unix:${sock}|fcgi://localhost${docroot}/$1" enablereuse=on
`;
}

/** An Apache with every form's routes, stopped with `scope` (one per suite, so its kept connections are its own). */
async function startApacheFor(scope: SuiteScope): Promise<{ backend: Backend; apache: Apache }> {
  const b = await startBackend();
  const apache = await startApache(scope, { root: b.docroot, routes: apacheRoutes(b, b.docroot) });
  if (apache === undefined) throw new Error('apache2 is missing (the suite should have been skipped)');
  return { backend: b, apache };
}

const FORMS = [
  ['SetHandler proxy:unix (FilesMatch)', ''],
  ['SetHandler proxy:fcgi TCP, enablereuse=on', 'h-tcp/'],
  ['ProxyPassMatch fcgi:// TCP, enablereuse=on', 'pm-tcp/'],
  ['ProxyPassMatch unix:…|fcgi://, enablereuse=on', 'pm-unix/'],
] as const;

for (const [form, prefix] of FORMS) {
  describeMatrix(`Apache httpd → tsfpm: ${form}`, {
    skip,
    abortReachesScript: false,
    start: async (scope) => {
      const { backend: b, apache } = await startApacheFor(scope);
      return { fpm: b.fpm, url: (path) => `${apache.baseUrl}/${prefix}${path}`, dump: () => apache.dump() };
    },
  });
}

void describe(
  'Apache httpd → tsfpm: the script sees SCRIPT_FILENAME and PATH_INFO as under PHP-FPM',
  skip === undefined ? {} : { skip },
  () => {
    const scope = new SuiteScope();
    let started: { backend: Backend; apache: Apache } | undefined;
    before(async () => {
      started = await startApacheFor(scope);
    });
    after(() => scope.runAll());

    const params = async (path: string): Promise<Record<string, string>> => {
      if (started === undefined) throw new Error('Apache did not start');
      const res = await httpRequest(`${started.apache.baseUrl}/${path}`);
      assert.equal(res.status, 200, res.body.toString() + started.apache.dump());
      return JSON.parse(res.body.toString()) as Record<string, string>;
    };
    const docroot = (): string => started?.backend.docroot ?? '?';
    const pick = (p: Record<string, string>): Record<string, string | undefined> => ({
      SCRIPT_FILENAME: p['SCRIPT_FILENAME'],
      ORIG_SCRIPT_FILENAME: p['ORIG_SCRIPT_FILENAME'],
      SCRIPT_NAME: p['SCRIPT_NAME'],
      PATH_INFO: p['PATH_INFO'],
      PATH_TRANSLATED: p['PATH_TRANSLATED'],
    });

    void it('SetHandler: Apache sends proxy:fcgi://localhost/<file> and splits PATH_INFO; the script sees the plain path', async () => {
      for (const prefix of ['', 'h-tcp/']) {
        assert.deepEqual(
          pick(await params(`${prefix}params.mjs/extra/path?q=1`)),
          {
            SCRIPT_FILENAME: `${docroot()}/params.mjs`,
            ORIG_SCRIPT_FILENAME: undefined,
            SCRIPT_NAME: `/${prefix}params.mjs`,
            PATH_INFO: '/extra/path',
            PATH_TRANSLATED: `${docroot()}/extra/path`,
          },
          `/${prefix}`,
        );
      }
    });

    void it('ProxyPassMatch: Apache sends proxy:fcgi://host:port/<file>/<path info> unsplit; the path-info walk splits it', async () => {
      for (const prefix of ['pm-tcp/', 'pm-unix/']) {
        assert.deepEqual(
          pick(await params(`${prefix}params.mjs/extra/path?q=1`)),
          {
            SCRIPT_FILENAME: `${docroot()}/params.mjs`,
            ORIG_SCRIPT_FILENAME: `${docroot()}/params.mjs/extra/path`,
            SCRIPT_NAME: `/${prefix}params.mjs`,
            PATH_INFO: '/extra/path',
            PATH_TRANSLATED: `${docroot()}/extra/path`,
          },
          `/${prefix}`,
        );
        assert.equal(pick(await params(`${prefix}params.mjs`))['SCRIPT_FILENAME'], `${docroot()}/params.mjs`);
      }
    });
  },
);
