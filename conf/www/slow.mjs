// Answers after ?ms=N milliseconds (default 2000): for timeouts, reloads and graceful stops.
export default async function (request) {
  const ms = Number(new URL(request.url).searchParams.get('ms') ?? '2000');
  await new Promise((resolve) => setTimeout(resolve, ms));
  return new Response(`slept ${ms} ms\n`, { headers: { 'content-type': 'text/plain' } });
}
