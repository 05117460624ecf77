// One FastCGI request on a fresh connection (RESPONDER role, no keep-alive), built on the project's
// codec: BEGIN_REQUEST, PARAMS, STDIN, then records until END_REQUEST. Works against any FastCGI
// server (tsfpm, PHP-FPM, …); every failure is a FastcgiClientError with a reason an operator can act on.
import { connect, type Socket } from 'node:net';
import {
  FCGI_END_REQUEST,
  FCGI_PARAMS,
  FCGI_REQUEST_COMPLETE,
  FCGI_RESPONDER,
  FCGI_STDERR,
  FCGI_STDIN,
  FCGI_STDOUT,
} from '../fastcgi/constants.js';
import { RecordDecoder } from '../fastcgi/decoder.js';
import { encodeParams } from '../fastcgi/params.js';
import { encodeBeginRequest, encodeRecord, encodeStream } from '../fastcgi/record.js';
import { describeAddress, type ConnectAddress } from './connect-address.js';

const REQUEST_ID = 1;

export type FastcgiFailure = 'connect' | 'timeout' | 'closed' | 'protocol';

export class FastcgiClientError extends Error {
  readonly reason: FastcgiFailure;
  constructor(reason: FastcgiFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface FastcgiRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** For the whole exchange, connect included. */
  readonly timeoutMs: number;
}

export interface FastcgiResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly appStatus: number;
  readonly protocolStatus: number;
}

const PROTOCOL_STATUS: Readonly<Record<number, string>> = {
  1: 'FCGI_CANT_MPX_CONN',
  2: 'FCGI_OVERLOADED',
  3: 'FCGI_UNKNOWN_ROLE',
};

export function fastcgiRequest(address: ConnectAddress, request: FastcgiRequest): Promise<FastcgiResult> {
  const where = describeAddress(address);
  return new Promise((resolve, reject) => {
    const socket: Socket =
      address.kind === 'tcp' ? connect({ host: address.host, port: address.port }) : connect({ path: address.path });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const decoder = new RecordDecoder();
    let connected = false;
    let settled = false;
    const finish = (outcome: FastcgiResult | FastcgiClientError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof FastcgiClientError) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => {
      const stage = connected ? 'no complete response' : 'could not connect';
      finish(new FastcgiClientError('timeout', `timeout: ${stage} from ${where} within ${request.timeoutMs} ms`));
    }, request.timeoutMs);

    socket.once('connect', () => {
      connected = true;
      socket.write(requestBytes(request));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk, (record) => {
          if (record.requestId !== REQUEST_ID) return;
          if (record.type === FCGI_STDOUT) stdout.push(Buffer.from(record.content));
          else if (record.type === FCGI_STDERR) stderr.push(Buffer.from(record.content));
          else if (record.type === FCGI_END_REQUEST) {
            const protocolStatus = record.content[4] ?? 0;
            if (protocolStatus !== FCGI_REQUEST_COMPLETE) {
              const name = PROTOCOL_STATUS[protocolStatus] ?? `protocol status ${protocolStatus}`;
              finish(new FastcgiClientError('protocol', `${where} refused the request: ${name}`));
              return;
            }
            finish({
              stdout: Buffer.concat(stdout),
              stderr: Buffer.concat(stderr),
              appStatus: record.content.length >= 4 ? record.content.readUInt32BE(0) : 0,
              protocolStatus,
            });
          }
        });
      } catch (err) {
        finish(new FastcgiClientError('protocol', `${where} sent invalid FastCGI data: ${(err as Error).message}`));
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) finish(new FastcgiClientError('closed', `connection to ${where} failed: ${err.message}`));
      else finish(new FastcgiClientError('connect', connectMessage(err, where)));
    });
    socket.on('close', () => {
      finish(new FastcgiClientError('closed', `${where} closed the connection before the end of the response`));
    });
  });
}

function requestBytes(request: FastcgiRequest): Buffer {
  const params = encodeParams(Object.entries(request.params));
  const body = request.body ?? Buffer.alloc(0);
  return Buffer.concat([
    encodeBeginRequest(REQUEST_ID, FCGI_RESPONDER, 0),
    encodeStream(FCGI_PARAMS, REQUEST_ID, params),
    encodeRecord(FCGI_PARAMS, REQUEST_ID),
    encodeStream(FCGI_STDIN, REQUEST_ID, body),
    encodeRecord(FCGI_STDIN, REQUEST_ID),
  ]);
}

function connectMessage(err: NodeJS.ErrnoException, where: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused: nothing listens on ${where}`;
    case 'ENOENT':
      return `no such socket: ${where}`;
    case 'EACCES':
      return `permission denied: cannot connect to ${where} (check the socket's listen.owner/group/mode)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `unknown host in ${where}`;
    default:
      return `cannot connect to ${where}: ${err.message}`;
  }
}
