// What a spare loads ahead of its pool, beyond src/worker/main.ts's own imports: the parts a child
// loads only when a request needs them and that its first request most likely needs (a Node-style
// `(req, res)` script). The rare ones (CGI, threads, TypeScript, the status page) stay lazy.
export async function warmUp(): Promise<void> {
  await import('../handlers/node-runner.js');
}
