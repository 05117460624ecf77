// Small HTTP and connect probes (free ports come from test/helpers/free-port.ts).
import { connect } from 'node:net';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

export function httpGet(url: string, timeoutMs = 5000): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Retries GET until the server answers at all (any status), e.g. right after nginx started. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await httpGet(url, 1000);
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`${url} not answering after ${timeoutMs} ms: ${String(err)}`, { cause: err });
      await sleep(25);
    }
  }
}

/** Retries connecting to a unix socket path or `127.0.0.1:PORT` until it accepts (a server that logs no ready line). */
export async function waitForConnect(address: string, timeoutMs: number): Promise<void> {
  const port = /^127\.0\.0\.1:(\d+)$/.exec(address)?.[1];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        const socket =
          port === undefined ? connect({ path: address }) : connect({ host: '127.0.0.1', port: Number(port) });
        socket.once('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`${address} not accepting after ${timeoutMs} ms: ${String(err)}`, { cause: err });
      await sleep(25);
    }
  }
}
