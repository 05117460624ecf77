// `tsfpm request`: a FastCGI client for operators, what people misuse `cgi-fcgi` for. It prints the
// response and exits 0 only on a 2xx status, so it serves as a Docker HEALTHCHECK or a Kubernetes
// exec probe (`--health` asks the pool's ping path). Works with any FastCGI server.
import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import { parseCgiResponse } from '../client/cgi-response.js';
import { ConnectAddressError, parseConnectAddress } from '../client/connect-address.js';
import { FastcgiClientError, fastcgiRequest } from '../client/fastcgi-request.js';
import { buildParams, RequestInputError } from '../client/request-params.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { collect, parseSubcommand, positiveMs, subcommand, type CommandIo } from './subcommand-io.js';

/** Any failure (non-2xx, refused, timeout): 1, which is also Docker's "unhealthy". */
export const EXIT_REQUEST_FAILED = 1;

export const DEFAULT_CONNECT = '127.0.0.1:9000';

interface RequestCliOptions {
  readonly connect: string;
  readonly method: string | undefined;
  readonly header: string[] | undefined;
  readonly data: string | undefined;
  readonly param: string[] | undefined;
  readonly scriptName: string | undefined;
  readonly bodyOnly: boolean | undefined;
  readonly health: boolean | undefined;
  readonly path: string;
  readonly timeout: number;
}

export async function runRequestCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const program = subcommand('request', 'send one FastCGI request and print the response (exit 0 on 2xx)')
    .argument('[script]', 'SCRIPT_FILENAME on the server, optionally followed by ?query')
    .addOption(connectOption())
    .option('-X, --method <method>', 'request method (default GET, or POST with --data)')
    // No default values for flags and lists: commander would print "(default: false)" and "(default: [])".
    .option('-H, --header <line>', "request header 'Name: value' (repeatable)", collect)
    .option('-d, --data <body>', 'request body; @file reads a file, @- reads stdin')
    .option('-P, --param <name=value>', 'raw FastCGI param, overrides the defaults (repeatable)', collect)
    .option('--script-name <path>', 'SCRIPT_NAME (default: the script path)')
    .option('-b, --body-only', 'print the body only, without the response headers')
    .option('--health', 'health check: request the ping path, print the body, exit 0 only on 2xx')
    .option('--path <path>', 'the ping path used by --health', '/ping')
    .option('-t, --timeout <ms>', 'deadline for the whole request', positiveMs, 5000);
  const parsed = await parseSubcommand(program, argv, io, (p) => ({
    options: p.opts<RequestCliOptions>(),
    script: p.args[0],
  }));
  if (parsed.kind === 'exit') return parsed.code;
  const { options, script } = parsed.value;

  const target = script ?? (options.health === true ? options.path : undefined);
  if (target === undefined) {
    await io.err(`tsfpm request: a SCRIPT is required (or --health)\n${program.helpInformation()}`);
    return EXIT_USAGE;
  }
  const [scriptFilename = '', query = ''] = splitOnce(target, '?');
  let params: Record<string, string>;
  let address;
  let body: Buffer | undefined;
  try {
    address = parseConnectAddress(options.connect);
    body = options.data === undefined ? undefined : readBody(options.data);
    params = buildParams({
      scriptFilename,
      scriptName: options.scriptName ?? scriptFilename,
      query,
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers: options.header ?? [],
      body,
      params: options.param ?? [],
    });
  } catch (err) {
    if (err instanceof ConnectAddressError || err instanceof RequestInputError || isFsError(err)) {
      await io.err(`tsfpm request: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }

  try {
    const result = await fastcgiRequest(address, { params, timeoutMs: options.timeout, ...(body ? { body } : {}) });
    if (result.stderr.length > 0) await io.err(withNewline(result.stderr.toString('utf8')));
    const response = parseCgiResponse(result.stdout);
    const bodyOnly = options.bodyOnly === true;
    if (options.health === true) await io.out(withNewline(response.body.toString('utf8')));
    else if (bodyOnly) await io.out(response.body);
    else await io.out(result.stdout);
    if (response.status >= 200 && response.status < 300) return EXIT_OK;
    await io.err(`tsfpm request: ${target}: the response status is ${response.status} ${response.statusText}\n`);
    return EXIT_REQUEST_FAILED;
  } catch (err) {
    if (!(err instanceof FastcgiClientError)) throw err;
    await io.err(`tsfpm request: ${err.message}\n`);
    return EXIT_REQUEST_FAILED;
  }
}

/** --connect, shared with `tsfpm status`; TSFPM_CONNECT sets the default (handy in containers). */
export function connectOption(): Option {
  return new Option('-c, --connect <address>', 'FastCGI server: host:port, [ipv6]:port, /path.sock or unix:/path')
    .env('TSFPM_CONNECT')
    .default(DEFAULT_CONNECT);
}

const withNewline = (text: string): string => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

function readBody(data: string): Buffer {
  if (data === '@-') return readFileSync(0);
  if (data.startsWith('@')) return readFileSync(data.slice(1));
  return Buffer.from(data, 'utf8');
}

function isFsError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && 'syscall' in err;
}
