// `tsfpm status`: a pool's status page read over FastCGI (`?json&full`, which php-fpm serves too) and
// printed as a table, or as the raw JSON with --json. Exit 0 when the page was read.
import { parseConnectAddress, ConnectAddressError } from '../client/connect-address.js';
import { parseCgiResponse } from '../client/cgi-response.js';
import { FastcgiClientError, fastcgiRequest } from '../client/fastcgi-request.js';
import { buildParams } from '../client/request-params.js';
import { formatStatusTable, StatusFormatError } from '../client/status-table.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { connectOption, EXIT_REQUEST_FAILED } from './request-command.js';
import { parseSubcommand, positiveMs, subcommand, type CommandIo } from './subcommand-io.js';

interface StatusCliOptions {
  readonly connect: string;
  readonly path: string;
  readonly json: boolean | undefined;
  readonly timeout: number;
}

export async function runStatusCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const program = subcommand('status', "print a pool's status page (pm.status_path) read over FastCGI")
    .addOption(connectOption())
    .option('--path <path>', "the pool's pm.status_path", '/status')
    .option('--json', 'print the raw JSON (?json&full) instead of a table')
    .option('-t, --timeout <ms>', 'deadline for the request', positiveMs, 5000);
  const parsed = await parseSubcommand(program, argv, io, (p) => p.opts<StatusCliOptions>());
  if (parsed.kind === 'exit') return parsed.code;
  const options = parsed.value;
  let address;
  try {
    address = parseConnectAddress(options.connect);
  } catch (err) {
    if (!(err instanceof ConnectAddressError)) throw err;
    await io.err(`tsfpm status: ${err.message}\n`);
    return EXIT_USAGE;
  }
  const params = buildParams({
    scriptFilename: options.path,
    scriptName: options.path,
    query: 'json&full',
    method: 'GET',
    headers: [],
    body: undefined,
    params: [],
  });
  try {
    const result = await fastcgiRequest(address, { params, timeoutMs: options.timeout });
    const response = parseCgiResponse(result.stdout);
    if (response.status < 200 || response.status >= 300) {
      await io.err(
        `tsfpm status: ${options.path}: the response status is ${response.status} ${response.statusText}` +
          ' (is pm.status_path set to this path?)\n',
      );
      return EXIT_REQUEST_FAILED;
    }
    const text = response.body.toString('utf8');
    if (options.json === true) {
      await io.out(text.endsWith('\n') ? text : `${text}\n`);
      return EXIT_OK;
    }
    await io.out(formatStatusTable(parseJson(text)));
    return EXIT_OK;
  } catch (err) {
    if (err instanceof FastcgiClientError || err instanceof StatusFormatError) {
      await io.err(`tsfpm status: ${err.message}\n`);
      return EXIT_REQUEST_FAILED;
    }
    throw err;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new StatusFormatError(`the status page is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}
