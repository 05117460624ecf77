// Accepting on the child's copy of the master's listening socket, each connection as a
// StreamHandleTransport (the bare-handle counterpart of net.Server).
import { osError, type ListeningHandle } from './stream-handle.js';
import { StreamHandleTransport } from './stream-handle-transport.js';
import type { Transport } from './transport.js';

export interface Acceptor {
  close(): void;
}

/**
 * Accepts on the child's copy of the listening socket, each connection as a StreamHandleTransport.
 * Returns the error when listen() fails.
 */
export function acceptOnHandle(
  listening: ListeningHandle,
  backlog: number,
  onConnection: (transport: Transport) => void,
  onError: (err: Error) => void,
): Acceptor | Error {
  listening.onconnection = (status, client) => {
    if (status < 0 || client === undefined) {
      onError(osError(status, 'accept'));
      return;
    }
    onConnection(new StreamHandleTransport(client));
  };
  const err = listening.listen(backlog);
  if (err !== 0) {
    listening.close();
    return osError(err, 'listen');
  }
  return {
    close: () => {
      listening.onconnection = null;
      listening.close();
    },
  };
}
