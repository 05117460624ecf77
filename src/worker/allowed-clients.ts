// listen.allowed_clients: exact address match (no CIDR), IPv4 entries also match IPv4-mapped IPv6 peers.

/** `::ffff:127.0.0.1` → `127.0.0.1`; other addresses unchanged. */
export function unmapIpv4(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Undefined list = everyone; an empty list = nobody (a list with no valid entry fails closed). */
export function isClientAllowed(peer: string, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  const plain = unmapIpv4(peer);
  return allowed.some((entry) => entry === peer || entry === plain);
}
