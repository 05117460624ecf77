// The memory guard names the request a child has been running longest: RunningRequests keeps the
// requests seen in slot reports until the oldest one still running began after them.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { RequestInfo } from '../../../src/ipc/messages.js';
import { RunningRequests } from '../../../src/master/running-requests.js';

const request = (uri: string): RequestInfo => ({
  method: 'GET',
  uri,
  query: '',
  script: `/srv${uri}`,
  contentLength: 0,
  user: '-',
});

void test('the oldest running request is named after later ones began and ended', () => {
  const requests = new RunningRequests<string>();
  requests.seen('a', 1, 100, request('/hog.mjs'), 100);
  requests.seen('a', 2, 150, request('/hello.mjs'), 100);
  requests.seen('a', 1, 150, request('/hello.mjs'), 100); // hello ended: the slot still shows it
  assert.equal(requests.oldest('a', 100)?.uri, '/hog.mjs');
  // The hog ended, a later request is the oldest now; the hog is forgotten.
  requests.seen('a', 2, 300, request('/b.mjs'), 150);
  assert.equal(requests.oldest('a', 150)?.uri, '/hello.mjs');
  assert.equal(requests.oldest('a', 100), undefined);
  // Idle: nothing kept.
  requests.seen('a', 0, 300, request('/b.mjs'), 0);
  assert.equal(requests.oldest('a', 300), undefined);
});

void test('a request not seen is not named; many short ones keep the oldest and the newest', () => {
  const requests = new RunningRequests<string>();
  requests.seen('a', 2, 200, request('/late.mjs'), 100);
  assert.equal(requests.oldest('a', 100), undefined, 'the oldest began between two reports');
  requests.seen('b', 1, 1, request('/hog.mjs'), 1);
  for (let ms = 2; ms < 1000; ms++) requests.seen('b', 2, ms, request(`/r${ms}.mjs`), 1);
  assert.equal(requests.oldest('b', 1)?.uri, '/hog.mjs');
  assert.equal(requests.oldest('b', 999)?.uri, '/r999.mjs');
  requests.forget('b');
  assert.equal(requests.oldest('b', 1), undefined);
});
