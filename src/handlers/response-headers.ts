// A web Response's headers as ordered pairs, repeated Set-Cookie headers kept apart (Headers joins
// every other repeated header with ', ', which is what HTTP allows for them).
export function responseHeaders(response: Response): [string, string][] {
  const pairs: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') pairs.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) pairs.push(['set-cookie', cookie]);
  return pairs;
}
