// decodeParams remembers the texts seen at each position and builds the object with a class before
// dropping its prototype: a stream that repeats, changes or reorders pairs must still decode to exactly
// its own pairs, with no inherited member and the inspect shape of an Object.create(null) object.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { decodeParams, encodeParams } from '../../../src/fastcgi/params.js';

const decode = (pairs: [string, string][]): Record<string, string> => decodeParams(encodeParams(pairs));

test('a stream decodes to its own pairs whatever the streams before it held at the same positions', () => {
  const first: [string, string][] = [
    ['REQUEST_METHOD', 'GET'],
    ['SCRIPT_FILENAME', '/srv/a.mjs'],
    ['QUERY_STRING', 'x=1'],
  ];
  assert.deepEqual({ ...decode(first) }, Object.fromEntries(first));
  assert.deepEqual({ ...decode(first) }, Object.fromEntries(first), 'the same stream again');
  // Same length, other bytes; other order; a non-ASCII value; fewer and more pairs.
  const changed: [string, string][] = [
    ['REQUEST_METHOD', 'PUT'],
    ['QUERY_STRING', 'é=€'],
    ['SCRIPT_FILENAME', '/srv/b.mjs'],
    ['HTTP_HOST', 'example.test'],
  ];
  assert.deepEqual({ ...decode(changed) }, Object.fromEntries(changed));
  assert.deepEqual({ ...decode([['REQUEST_METHOD', 'GET']]) }, { REQUEST_METHOD: 'GET' });
  assert.deepEqual({ ...decode(first) }, Object.fromEntries(first));
});

test('names such as constructor and __proto__ are own pairs, and nothing is inherited', () => {
  const params = decode([
    ['constructor', 'c'],
    ['__proto__', 'p'],
    ['A', 'a'],
  ]);
  assert.equal(Object.getPrototypeOf(params), null);
  assert.deepEqual(Object.keys(params), ['constructor', '__proto__', 'A']);
  assert.equal(params['constructor'], 'c');
  assert.equal(Object.getOwnPropertyDescriptor(params, '__proto__')?.value, 'p');
  const plain = decode([['A', 'a']]);
  assert.equal(Object.getPrototypeOf(plain), null);
  assert.equal('constructor' in plain, false);
  assert.equal('toString' in plain, false);
  assert.equal(inspect(plain), "[Object: null prototype] { A: 'a' }");
});
