// The scoreboard slot (src/ipc/scoreboard-*.ts, src/worker/scoreboard-writer.ts) on a real slot file:
// what the child writes is what the master reads, request by request; a record caught mid-write is
// read again; requests beyond the records are counted; durations land in the right buckets.
import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createSlotFile } from '../../../src/ipc/scoreboard-file.js';
import {
  BUCKETS,
  bucketLowerUs,
  bucketOf,
  bucketUpperUs,
  emptyCounts,
  percentileUs,
} from '../../../src/ipc/scoreboard-histogram.js';
import { F, RECORD_BYTES, RECORDS, SEQ_TAIL_OFFSET, type RequestInfo } from '../../../src/ipc/scoreboard-layout.js';
import { SlotReader } from '../../../src/ipc/scoreboard-reader.js';
import { ScoreboardWriter } from '../../../src/worker/scoreboard-writer.js';

const info = (uri: string, extra: Partial<RequestInfo> = {}): RequestInfo => ({
  method: 'GET',
  uri,
  query: '',
  script: `/srv${uri}`,
  contentLength: 0,
  user: '-',
  ...extra,
});

function slot(): { fd: number; writer: ScoreboardWriter; reader: SlotReader } {
  const fd = createSlotFile();
  return { fd, writer: new ScoreboardWriter(fd), reader: new SlotReader(fd) };
}

void test('round trip: each running request has its own record; the last one ended stays readable', () => {
  const { fd, writer, reader } = slot();
  try {
    assert.equal(reader.read().seq, 0, 'a fresh slot is empty');
    const a = writer.began(info('/a.mjs', { query: 'x=1', method: 'POST', contentLength: 12, user: 'alice' }), true);
    const b = writer.began(info('/b.mjs'), true);
    let s = reader.read();
    assert.equal(s.requestsStarted, 2);
    assert.equal(s.running, 2);
    assert.deepEqual(
      s.inFlight.map((r) => [
        r.number,
        r.info.uri,
        r.info.query,
        r.info.script,
        r.info.method,
        r.info.contentLength,
        r.info.user,
      ]),
      [
        [1, '/a.mjs', 'x=1', '/srv/a.mjs', 'POST', 12, 'alice'],
        [2, '/b.mjs', '', '/srv/b.mjs', 'GET', 0, '-'],
      ],
    );
    assert.ok((s.inFlight[0]?.startMonoUs ?? 0) <= (s.inFlight[1]?.startMonoUs ?? 0), 'oldest first');

    writer.ended(a, 201);
    s = reader.read();
    assert.equal(s.running, 1);
    assert.deepEqual(
      s.inFlight.map((r) => r.info.uri),
      ['/b.mjs'],
    );
    assert.equal(s.last?.info.uri, '/a.mjs');
    assert.equal(s.last?.status, 201);
    assert.ok((s.last?.durationUs ?? 0) > 0);

    const end = writer.ended(b, 200);
    s = reader.read();
    assert.equal(s.running, 0);
    assert.equal(s.last?.info.uri, '/b.mjs', 'the one that ended last');
    assert.equal(s.last?.durationUs, end.durationUs);
    assert.ok(s.idleSinceMs > 0);
    assert.equal(s.durations.count, 2);

    // A long text is cut on a character boundary, never half a character.
    const c = writer.began(info(`/${'é'.repeat(200)}`), true);
    const uri = reader.read().inFlight[0]?.info.uri ?? '';
    assert.ok(uri.length > 100 && !uri.includes('\uFFFD'), uri);
    writer.ended(c, 200);
  } finally {
    closeSync(fd);
  }
});

void test('requests beyond the records are counted (overflow) and timed; none is lost', () => {
  const { fd, writer, reader } = slot();
  try {
    const tokens = Array.from({ length: RECORDS + 4 }, (_, i) => writer.began(info(`/r${i}`), true));
    let s = reader.read();
    assert.equal(s.running, RECORDS + 4);
    assert.equal(s.inFlight.length, RECORDS);
    assert.equal(s.overflow, 4);
    assert.ok(s.overflowOldestMonoUs > 0 && s.overflowOldestEpochMs > 0);
    for (const token of tokens.slice(RECORDS)) writer.ended(token, 200);
    s = reader.read();
    assert.equal(s.overflow, 0);
    assert.equal(s.overflowOldestMonoUs, 0);
    for (const token of tokens.slice(0, RECORDS)) writer.ended(token, 200);
    s = reader.read();
    assert.equal(s.running, 0);
    assert.equal(s.requestsStarted, RECORDS + 4);
    assert.equal(s.durations.count, RECORDS + 4);
  } finally {
    closeSync(fd);
  }
});

void test('a record caught mid-write (different sequence numbers at its ends) is read again', () => {
  const { fd, writer, reader } = slot();
  try {
    const a = writer.began(info('/a'), true);
    const good = reader.read();
    assert.equal(good.running, 1);
    // A write in progress: the new head is there, the tail still the old one.
    const head = Buffer.alloc(8);
    head.writeDoubleLE(99, 0);
    writeSync(fd, head, 0, 8, a.record * RECORD_BYTES + F.seqHead * 8);
    const torn = reader.read();
    assert.ok(reader.retries > 0, 'retried');
    assert.equal(torn, good, 'the last consistent state stands');
    // The write completes.
    const tail = Buffer.alloc(8);
    tail.writeDoubleLE(99, 0);
    writeSync(fd, tail, 0, 8, a.record * RECORD_BYTES + SEQ_TAIL_OFFSET);
    assert.equal(reader.read().seq, 99);
  } finally {
    closeSync(fd);
  }
});

void test('a record older than the newest one says (listed running, reads ended) is read again', () => {
  const { fd, writer, reader } = slot();
  try {
    const a = writer.began(info('/a'), true);
    writer.began(info('/b'), true);
    const before = reader.read();
    // Record a reverts to "free", as if read before its last write while b was read after its own.
    const state = Buffer.alloc(8);
    writeSync(fd, state, 0, 8, a.record * RECORD_BYTES + F.state * 8);
    const retries = reader.retries;
    assert.equal(reader.read(), before);
    assert.ok(reader.retries > retries);
  } finally {
    closeSync(fd);
  }
});

void test('a writer in another thread and a reader here: no read ever mixes two writes', async () => {
  const fd = createSlotFile();
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.writerUrl).then(({ ScoreboardWriter }) => {
      const w = new ScoreboardWriter(workerData.fd);
      const stop = new Int32Array(workerData.stop);
      let n = 0;
      while (Atomics.load(stop, 0) === 0) {
        n++;
        const t = w.began({ method: 'GET', uri: '/n' + n, query: 'q' + n, script: '/s' + n, contentLength: n, user: '-' }, true);
        w.ended(t, 200);
      }
      parentPort.postMessage(n);
    });`;
  const stop = new SharedArrayBuffer(4);
  const writerUrl = new URL('../../../src/worker/scoreboard-writer.js', import.meta.url).href;
  const worker = new Worker(source, { eval: true, workerData: { fd, stop, writerUrl } });
  const done = new Promise<number>((resolve) => worker.once('message', resolve));
  const reader = new SlotReader(fd);
  try {
    let checked = 0;
    for (const end = Date.now() + 1500; Date.now() < end;) {
      const s = reader.read();
      const last = s.last;
      if (last === undefined) continue;
      const n = last.info.contentLength;
      assert.deepEqual([last.info.uri, last.info.query, last.info.script], [`/n${n}`, `q${n}`, `/s${n}`]);
      assert.equal(last.number, n);
      checked++;
      await new Promise(setImmediate);
    }
    Atomics.store(new Int32Array(stop), 0, 1);
    const writes = await done;
    assert.ok(checked > 10 && writes > 10, `${checked} reads of ${writes} requests`);
  } finally {
    await worker.terminate();
    closeSync(fd);
  }
});

void test('duration buckets: bounds, placement and percentiles', () => {
  assert.equal(bucketOf(0), 0);
  assert.equal(bucketOf(63.9), 0);
  assert.equal(bucketOf(64), 1);
  for (let i = 1; i < BUCKETS - 1; i++) {
    assert.equal(bucketOf(bucketLowerUs(i)), i, `lower bound of ${i}`);
    assert.equal(bucketOf(bucketUpperUs(i) * 0.9999), i, `just under the upper bound of ${i}`);
  }
  assert.equal(bucketOf(1e12), BUCKETS - 1);

  const counts = emptyCounts();
  assert.equal(percentileUs(counts, 0.5), 0, 'no requests');
  // 90 requests of ~1 ms, 10 of ~100 ms.
  counts.buckets[bucketOf(1000)] = 90;
  counts.buckets[bucketOf(100_000)] = 10;
  const p50 = percentileUs(counts, 0.5);
  const p99 = percentileUs(counts, 0.99);
  assert.ok(p50 > 1000 / Math.SQRT2 && p50 < 1000 * Math.SQRT2, `p50 ${p50}`);
  assert.ok(p99 > 100_000 / Math.SQRT2 && p99 < 100_000 * Math.SQRT2, `p99 ${p99}`);
});

void test('per-request CPU: a request that spins shows its CPU time; status pages stay out of the durations', () => {
  const { fd, writer, reader } = slot();
  try {
    const t = writer.began(info('/spin'), true);
    for (const end = performance.now() + 30; performance.now() < end;);
    const measured = writer.ended(t, 200);
    assert.ok(measured.cpuUs > 0 && measured.cpuUs >= measured.durationUs * 0.05, JSON.stringify(measured));
    const s = writer.began(info('/status'), false);
    writer.ended(s, 200);
    const read = reader.read();
    assert.equal(read.durations.count, 1, 'the status request is not counted');
    assert.equal(read.requestsStarted, 2, 'but it was a request');
  } finally {
    closeSync(fd);
  }
});
