// A large response produced in chunks: ?mib=N (default 5) MiB of a repeating pattern.
export default {
  fetch(request) {
    const mib = Number(new URL(request.url).searchParams.get('mib') ?? '5');
    const chunk = new TextEncoder().encode('0123456789abcdef'.repeat(64 * 1024)); // 1 MiB
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent >= mib) return controller.close();
        controller.enqueue(chunk);
        sent++;
      },
    });
    return new Response(body, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(mib * chunk.length) },
    });
  },
};
