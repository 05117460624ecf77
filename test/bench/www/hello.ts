// The TypeScript hello of the `nginx → tsfpm TS` rows: conf/www/hello.mjs with types, served straight
// from this .ts file (tsfpm loads it through tsx, no build step). tsc also type-checks it with the bench.
const BODY: string = 'Hello from tsfpm TypeScript\n';

export default {
  fetch(): Response {
    return new Response(BODY, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  },
};
