// The Express app of the response-cost bench: tsfpm runs it with `handler = node`, and the
// node:cluster server (pages-http.mjs) runs the same app for paths under /h/express/.
import express from 'express';

const app = express();
app.get('/{*any}', (_req, res) => res.type('text/plain').send('Hello from Express\n'));
export default app;
