// The libuv TCP/Pipe server handles the master binds (or adopts from systemd) and passes to children.

/** A libuv TCP or Pipe server handle: bound, passed to children, closed by the master. */
export interface ServerHandle {
  close(callback?: () => void): void;
  readonly fd?: number;
  /** TCP only: fills `out` with the bound address; returns 0 or a negative errno. */
  getsockname?(out: { address?: string; port?: number; family?: string }): number;
}
