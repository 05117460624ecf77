// executor = threads: the fetch script runs in a worker thread of this child. The body is read
// whole and transferred in; the whole response comes back (no streaming either way). An abort (the
// web server, or request_terminate_timeout) terminates just that thread; tinypool starts another.
import type { PoolConfig } from '../../config/types.js';
import { describeError, TsfpmError } from '../../errors.js';
import { childLog } from '../../log/child-log.js';
import type { RequestBody } from '../../request/request-body.js';
import { formatResponseHead } from '../cgi-response.js';
import { failScript } from '../send-response.js';
import type { ScriptJob } from '../script-runner.js';
import { runOnThread, type ThreadPost } from './run-on-thread.js';
import { scriptThreads } from './thread-pool.js';
import type { ThreadResult, ThreadTask } from './thread-protocol.js';

async function readChunks(body: RequestBody): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return chunks;
}

/** The body as one transferable array, or null when empty. */
function wholeBody(chunks: readonly Buffer[]): Uint8Array | null {
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  if (length === 0) return null;
  // A fresh ArrayBuffer of its own: Buffer.concat may hand out a slice of Node's shared pool, which
  // must never be transferred.
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

export async function runInThreads(job: ScriptJob, pool: PoolConfig): Promise<void> {
  const { request } = job;
  let result: ThreadResult;
  try {
    const chunks = await readChunks(request.body);
    const post = (): ThreadPost => {
      const body = wholeBody(chunks);
      const task: ThreadTask = {
        path: job.path,
        mtimeMs: job.mtimeMs,
        mode: pool.handler,
        params: { ...request.params },
        body,
        env: { ...pool.env },
        pool: pool.name,
      };
      return body !== null ? { task, transferList: [body.buffer as ArrayBuffer] } : { task };
    };
    result = (await runOnThread(scriptThreads(pool), post, request.abort.signal, () =>
      childLog('notice', `${job.where}: the thread it was given was ending, posted again`),
    )) as ThreadResult;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY')
      childLog('error', `${job.where} exceeded executor.memory_limit: ${describeError(err)}`);
    await failScript(job, err);
    return;
  }
  for (const [level, message] of result.logs)
    childLog(level, `[pool ${pool.name}] child ${process.pid} script: ${message}`);
  if (!result.ok) {
    await failScript(
      job,
      result.code !== undefined ? new TsfpmError(result.code, result.error) : new Error(result.error),
    );
    return;
  }
  if (request.abort.aborted) {
    await failScript(job, request.abort.signal.reason);
    return;
  }
  request.status = result.status;
  const head = formatResponseHead(result.status, result.statusText, result.headers);
  const out = result.body === null || job.isHead ? head : Buffer.concat([head, result.body]);
  await request.response.stdout(out);
}
