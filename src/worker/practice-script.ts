// The script of a spare child's practice request (spare-practice.ts): a fetch handler that reads its
// request and answers with a small text, as most requests do. Not a user script: it ships with tsfpm.
export default {
  fetch(request: Request): Response {
    const query = new URL(request.url).searchParams.get('q') ?? '';
    return new Response(`practice ${query}\n`, { headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
  },
};
