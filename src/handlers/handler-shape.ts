// Which contract a plain default-exported function follows, by its parameter names. A fetch handler
// and a Node handler both take two parameters: `(request, ctx)` (Cloudflare, Deno, Bun, Netlify's
// `(request, context)`) or `(req, res)` (Node's http, Express, Vercel's Node functions). Under
// `handler = auto` the second parameter's name tells them apart; anything unclear stays fetch.

const NODE_SECOND_PARAMETER = new Set(['res', 'response', 'resp', 'reply', 'out']);

/** The parameter names of a function's source, or undefined when they are not simple identifiers. */
export function parameterNames(fn: (...args: never[]) => unknown): string[] | undefined {
  const source = Function.prototype.toString.call(fn);
  const match =
    /^\s*(?:async\b\s*)?(?:function\b[^(]*)?\(([^)]*)\)/.exec(source) ??
    /^\s*(?:async\b\s*)?([\w$]+)\s*=>/.exec(source);
  const list = match?.[1];
  if (list === undefined) return undefined;
  const names = list
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '')
    .split(',')
    .map((p) => p.trim().replace(/\s*[:=][\s\S]*$/, ''))
    .filter((p) => p !== '');
  return names.every((n) => /^[\w$]+$/.test(n)) ? names : undefined;
}

/** A function declared as `(req, res)` (or `(request, response)`): a Node request listener. */
export function looksLikeNodeListener(fn: (...args: never[]) => unknown): boolean {
  const second = parameterNames(fn)?.[1];
  return second !== undefined && NODE_SECOND_PARAMETER.has(second.toLowerCase());
}
