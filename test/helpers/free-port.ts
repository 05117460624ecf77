// A TCP port that was free a moment ago on 127.0.0.1: bind port 0, read the port, close.
// Another process could take it before our server binds it; the window is small and every caller
// fails loudly (EADDRINUSE) rather than silently talking to someone else.
import { createServer } from 'node:net';

export function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening server'));
        return;
      }
      const port = address.port;
      server.close(() => resolve(port));
    });
  });
}
