// Parsing php-fpm `listen` values: `ip:port`, `[ipv6]:port`, `port` (all addresses), `host:port`, or a
// unix socket path (anything without ':' that is not all digits).

export type ListenAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly family: 4 | 6 | 0 }
  | { readonly kind: 'unix'; readonly path: string };

export class ListenAddressError extends Error {}

function parsePort(text: string, whole: string): number {
  if (!/^\d+$/.test(text)) throw new ListenAddressError(`invalid port value '${whole}'`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new ListenAddressError(`invalid port value '${whole}'`);
  return port;
}

/** `family` 0 means "all addresses": try `::` dual-stack, fall back to 0.0.0.0 (php-fpm). */
export function parseListenAddress(value: string): ListenAddress {
  const text = value.trim();
  if (/^\d+$/.test(text)) return { kind: 'tcp', host: '', port: parsePort(text, text), family: 0 };
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(text);
  if (v6 !== null) return { kind: 'tcp', host: v6[1] ?? '', port: parsePort(v6[2] ?? '', text), family: 6 };
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { kind: 'unix', path: text };
  const host = text.slice(0, colon);
  const port = parsePort(text.slice(colon + 1), text);
  if (host === '*' || host === '') return { kind: 'tcp', host: '', port, family: 0 };
  if (host.includes(':')) return { kind: 'tcp', host, port, family: 6 };
  return { kind: 'tcp', host, port, family: /^\d+\.\d+\.\d+\.\d+$/.test(host) ? 4 : 0 };
}

/** The key of a socket in the registry: the same key after a reload means the same socket is reused. */
export function addressKey(address: ListenAddress): string {
  return address.kind === 'unix' ? address.path : `${address.host}:${address.port}`;
}
