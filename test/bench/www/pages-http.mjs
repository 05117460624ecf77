// The Node contender of the response-cost bench: `node pages-http.mjs <port> <workers>` runs a
// node:cluster of plain http.Servers (nginx proxies to them with upstream keepalive) serving the pages
// of pages.mjs, and the Express app of pages-express.mjs under /h/express/. Prints "listening" once
// every worker listens.
import cluster from 'node:cluster';
import http from 'node:http';
import { pageFor } from './pages.mjs';

const [port, workers] = process.argv.slice(2).map(Number);

if (cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === workers) console.log('listening');
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  const express = (await import('./pages-express.mjs')).default;
  const send = (res, { type, body }) => {
    res.setHeader('Content-Type', type);
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/h/express/')) return express(req, res);
    const answer = pageFor(url)();
    if (answer instanceof Promise) answer.then((a) => send(res, a));
    else send(res, answer);
  });
  // Longer than nginx keeps an idle upstream connection, so Node never closes one under nginx.
  server.keepAliveTimeout = 120_000;
  server.listen(port, '127.0.0.1');
}
