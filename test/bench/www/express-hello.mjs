// The Express hello the bench serves with `handler = node`: the same body size class as hello.mjs.
import express from 'express';

const app = express();
app.get('/hello', (_req, res) => res.type('text/plain').send('Hello from Express\n'));
export default app;
