// A large upload streamed through nginx (fastcgi_request_buffering off) into tsfpm's sha256.mjs,
// with the children's VmRSS polled meanwhile: how much memory a streamed body costs a child.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readStatusKib, RssSampler } from '../helpers/proc.js';
import { backendChildren, startNginx, startTsfpm, type RunningBackend, type RunningNginx } from './contenders.js';
import type { BenchEnvironment } from './environment.js';

const CHUNK_BYTES = 1 << 20;

export interface UploadResult {
  readonly mib: number;
  readonly seconds?: number;
  readonly mibPerSec?: number;
  readonly verified?: boolean;
  /** VmRSS of the child that took the upload, just before it. */
  readonly baselineRssKib?: number;
  readonly peakRssKib?: number;
  readonly growthKib?: number;
  readonly hwmBeforeKib?: number;
  readonly hwmAfterKib?: number;
  readonly samples?: number;
  readonly failure?: string;
}

interface ScriptAnswer {
  readonly status: number;
  readonly body: string;
}

/** POSTs `mib` MiB (one random MiB repeated) and returns the answer and the sha256 it should carry. */
async function streamUpload(url: string, mib: number): Promise<ScriptAnswer & { sha256: string }> {
  const chunk = randomBytes(CHUNK_BYTES);
  const hash = createHash('sha256');
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(mib * CHUNK_BYTES) },
  });
  const answered = new Promise<ScriptAnswer>((resolve, reject) => {
    req.once('response', (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.once('error', reject);
  });
  for (let i = 0; i < mib; i++) {
    hash.update(chunk);
    if (!req.write(chunk)) await Promise.race([once(req, 'drain'), answered]);
  }
  req.end();
  return { ...(await answered), sha256: hash.digest('hex') };
}

function parseAnswer(body: string): { bytes?: unknown; sha256?: unknown } {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

export async function measureUpload(env: BenchEnvironment, workDir: string, mib: number): Promise<UploadResult> {
  if (env.nginx.path === undefined) return { mib, failure: env.nginx.version };
  const dir = join(workDir, 'upload');
  mkdirSync(dir, { recursive: true });
  let backend: RunningBackend | undefined;
  let nginx: RunningNginx | undefined;
  try {
    backend = await startTsfpm(dir, 'unix', 2, false);
    nginx = await startNginx(env, dir, backend.fastcgi);
    const url = `${nginx.baseUrl}/upload`;
    // Load sha256.mjs in both children first, so module loading does not count as upload growth.
    for (let i = 0; i < 4; i++) await streamUpload(url, 1);

    const children = backendChildren(backend);
    const baseline = new Map(children.map((pid) => [pid, readStatusKib(pid, 'VmRSS') ?? 0]));
    const hwmBefore = new Map(children.map((pid) => [pid, readStatusKib(pid, 'VmHWM') ?? 0]));
    const sampler = new RssSampler(children, 20);
    const startedAtMs = performance.now();
    let answer: ScriptAnswer & { sha256: string };
    try {
      answer = await streamUpload(url, mib);
    } catch (err) {
      sampler.stop();
      throw err;
    }
    const { peakKib, samples } = sampler.stop();
    const seconds = (performance.now() - startedAtMs) / 1000;

    // The child that took the upload is the one whose RSS grew most.
    let pid = children[0] ?? 0;
    let growthKib = Number.NEGATIVE_INFINITY;
    for (const child of children) {
      const growth = (peakKib.get(child) ?? 0) - (baseline.get(child) ?? 0);
      if (growth > growthKib) [pid, growthKib] = [child, growth];
    }
    const reply = parseAnswer(answer.body);
    const verified = answer.status === 200 && reply.bytes === mib * CHUNK_BYTES && reply.sha256 === answer.sha256;
    return {
      mib,
      seconds,
      mibPerSec: mib / seconds,
      verified,
      baselineRssKib: baseline.get(pid) ?? 0,
      peakRssKib: peakKib.get(pid) ?? 0,
      growthKib,
      hwmBeforeKib: hwmBefore.get(pid) ?? 0,
      hwmAfterKib: readStatusKib(pid, 'VmHWM') ?? 0,
      samples,
      ...(verified
        ? {}
        : { failure: `answer ${answer.status} ${answer.body.slice(0, 200)} (expected sha256 ${answer.sha256})` }),
    };
  } catch (err) {
    return { mib, failure: err instanceof Error ? err.message : String(err) };
  } finally {
    await nginx?.daemon.stop();
    await backend?.daemon.stop();
  }
}
