// tsfpm's side of the response-cost bench: the pages of pages.mjs as a fetch-style script.
import { pageFor } from './pages.mjs';

const toResponse = ({ type, body }) => new Response(body, { headers: { 'content-type': type } });

export default {
  fetch(_request, ctx) {
    const page = pageFor(ctx.params.DOCUMENT_URI ?? '/');
    const answer = page();
    return answer instanceof Promise ? answer.then(toResponse) : toResponse(answer);
  },
};
