// 302 to ?to=URL (default /hello.mjs), with no body.
export default function (request) {
  const to = new URL(request.url).searchParams.get('to') ?? '/hello.mjs';
  return new Response(null, { status: 302, headers: { location: to } });
}
