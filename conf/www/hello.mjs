// The smallest tsfpm script: a fetch-style handler.
export default {
  fetch() {
    return new Response('Hello from tsfpm\n', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  },
};
