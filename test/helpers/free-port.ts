// A TCP port that was free a moment ago on 127.0.0.1. Ports come from below the kernel's ephemeral
// range (ip_local_port_range, 32768-60999 by default): every process that binds port 0 or connects
// out draws from that range, so a port picked there can be taken by anyone between our check and the
// daemon's bind. Below it, only another test picking the same random port can collide.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOW = 20_000;

function ephemeralStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const value = Number(start);
    return Number.isInteger(value) && value > LOW + 1000 ? value : 32_768;
  } catch {
    return 32_768;
  }
}

function tryPort(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  const high = ephemeralStart();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (high - LOW));
    if (await tryPort(host, port)) return port;
  }
  throw new Error(`no free port found on ${host} in ${LOW}-${high - 1} after 50 tries`);
}
