// The request headers as JSON, and response headers a web server must pass through untouched: a custom
// one, a repeated one and two Set-Cookie lines (Headers keeps those apart).
export default function (request) {
  const headers = new Headers({
    'content-type': 'application/json',
    'x-matrix': 'response-header',
    'cache-control': 'no-store',
  });
  headers.append('set-cookie', 'session=abc; Path=/; HttpOnly');
  headers.append('set-cookie', 'theme=dark; Path=/; Max-Age=60');
  return new Response(JSON.stringify(Object.fromEntries(request.headers)), { headers });
}
