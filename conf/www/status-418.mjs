// A custom status, a custom header and two cookies.
export default function () {
  const headers = new Headers({ 'content-type': 'text/plain', 'x-tsfpm-example': 'teapot' });
  headers.append('set-cookie', 'a=1; Path=/');
  headers.append('set-cookie', 'b=2; Path=/');
  return new Response("I'm a teapot\n", { status: 418, headers });
}
