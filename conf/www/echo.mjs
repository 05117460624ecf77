// Streams the request body back as it arrives: memory stays flat even for a large upload.
export default {
  fetch(request) {
    return new Response(request.body, {
      headers: { 'content-type': request.headers.get('content-type') ?? 'application/octet-stream' },
    });
  },
};
