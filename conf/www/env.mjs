// Echoes the FastCGI parameters the web server sent (like phpinfo()'s $_SERVER table), as JSON.
export default function (request, ctx) {
  return Response.json({ method: request.method, url: request.url, pool: ctx.pool, params: ctx.params });
}
