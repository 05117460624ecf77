// The app's own cost, without FastCGI or nginx: `node direct-http.mjs express|plain <port>` serves the
// bench's Express hello, or a plain (req, res) hello, on a bare http.Server, for wrk to hit directly
// (the bench's "direct" cost lines). Prints "listening" once the port is open.
import http from 'node:http';

const [mode, port] = process.argv.slice(2);
const handler =
  mode === 'express'
    ? (await import('./express-hello.mjs')).default
    : (_req, res) => {
        res.setHeader('Content-Type', 'text/plain');
        res.end('Hello from node\n');
      };
http.createServer(handler).listen(Number(port), '127.0.0.1', () => console.log('listening'));
