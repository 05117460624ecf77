// Reads a JSON request body and answers in JSON: POST {"name":"Ada"} with Content-Type: application/json.
export default {
  async fetch(request) {
    if (request.method !== 'POST') {
      return new Response('POST a JSON body\n', { status: 405, headers: { allow: 'POST' } });
    }
    let body;
    try {
      body = await request.json();
    } catch {
      return Response.json({ error: 'the body is not JSON' }, { status: 400 });
    }
    return Response.json({ hello: body?.name ?? 'stranger', received: body });
  },
};
