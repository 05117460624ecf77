// Where a FastCGI server listens, as operators write it: the same forms as php-fpm's `listen`
// (`127.0.0.1:9000`, `[::1]:9000`, `9000`, `/run/php/fpm.sock`) plus nginx's `unix:/path`.

export type ConnectAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

export class ConnectAddressError extends Error {}

export function parseConnectAddress(text: string): ConnectAddress {
  const value = text.trim();
  if (value.startsWith('unix:')) return { kind: 'unix', path: value.slice('unix:'.length) };
  if (value.startsWith('/') || value.startsWith('.')) return { kind: 'unix', path: value };
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  if (v6 !== null) return { kind: 'tcp', host: v6[1] ?? '', port: port(v6[2] ?? '', text) };
  if (/^\d+$/.test(value)) return { kind: 'tcp', host: '127.0.0.1', port: port(value, text) };
  const colon = value.lastIndexOf(':');
  if (colon > 0) {
    const host = value.slice(0, colon);
    return { kind: 'tcp', host: host === '*' ? '127.0.0.1' : host, port: port(value.slice(colon + 1), text) };
  }
  throw new ConnectAddressError(
    `invalid address '${text}': expected host:port, [ipv6]:port, a port, or a unix socket path (/path or unix:/path)`,
  );
}

function port(digits: string, whole: string): number {
  const n = Number(digits);
  if (!/^\d+$/.test(digits) || n < 1 || n > 65535) {
    throw new ConnectAddressError(`invalid port in '${whole}': expected 1..65535`);
  }
  return n;
}

export function describeAddress(address: ConnectAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
