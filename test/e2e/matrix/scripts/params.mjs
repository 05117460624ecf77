// Every FastCGI param the web server sent, after tsfpm's script resolution (prefix strip, path-info walk).
export default (_request, ctx) => Response.json(ctx.params);
