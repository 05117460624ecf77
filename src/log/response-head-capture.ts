// %{Name}o needs the response headers as sent. Every path that answers a request (script, status,
// ping, errors) ends in FcgiResponse.stdout with the CGI head first, so the head is read back from
// there: wrap that one method of this request's response, keep the bytes up to the blank line, stop.
// Installed only for pools whose access.format uses %o.
const HEAD_LIMIT = 16 * 1024;

export interface StdoutWriter {
  stdout(data: Uint8Array): Promise<void>;
}

/** Returns a getter for the head's headers (empty until a head was written). */
export function captureResponseHead(response: StdoutWriter): () => [string, string][] {
  let seen = Buffer.alloc(0);
  let done = false;
  const original = response.stdout.bind(response);
  response.stdout = (data: Uint8Array): Promise<void> => {
    if (!done) {
      seen = Buffer.concat([seen, data]);
      if (seen.indexOf('\r\n\r\n') >= 0 || seen.indexOf('\n\n') >= 0 || seen.length > HEAD_LIMIT) done = true;
    }
    return original(data);
  };
  return () => {
    const text = seen.toString('latin1');
    const end = text.search(/\r?\n\r?\n/);
    const head = end < 0 ? text : text.slice(0, end);
    const pairs: [string, string][] = [];
    for (const line of head.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) pairs.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    return pairs;
  };
}
