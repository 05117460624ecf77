// Hashes the request body as it streams in: a 1 GB upload needs no memory.
import { createHash } from 'node:crypto';

export default async function (request) {
  const hash = createHash('sha256');
  let bytes = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  }
  return Response.json({ bytes, sha256: hash.digest('hex') });
}
