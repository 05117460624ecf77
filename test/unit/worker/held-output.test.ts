// HeldOutput (src/worker/held-output.ts): memory up to its bound, then an unlinked temporary file;
// drained in order; and no descriptor left behind when the connection goes away mid-spill.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeldOutput } from '../../../src/worker/held-output.js';
import { openFilesOf } from '../../helpers/proc.js';

/** This process's open held-output files (unlinked at once, so they show as "(deleted)"). */
const openSpillFiles = (): string[] =>
  openFilesOf('self')
    .map((file) => file.target)
    .filter((target) => target.includes('/tsfpm-out-'));

async function drained(hold: HeldOutput): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of hold.drain()) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

void describe('HeldOutput', () => {
  it('keeps the order across memory and file, and closes the file once drained', async () => {
    const hold = new HeldOutput(1000);
    const pieces = [Buffer.alloc(600, 1), Buffer.alloc(300, 2), Buffer.alloc(500, 3), Buffer.alloc(700_000, 4)];
    for (const piece of pieces) await hold.append(piece);
    assert.equal(hold.spilled, true);
    assert.equal(openSpillFiles().length, 1);
    assert.ok((await drained(hold)).equals(Buffer.concat(pieces)));
    assert.deepEqual(openSpillFiles(), []);
  });

  it('disposed while its spill file is being opened: the file is closed, later appends are dropped', async () => {
    const hold = new HeldOutput(10);
    const appending = hold.append(Buffer.alloc(100, 7)); // goes to a file: the open is in flight
    await hold.dispose();
    await appending;
    await hold.append(Buffer.alloc(100, 8));
    assert.deepEqual(openSpillFiles(), [], 'no spill file left open');
    assert.equal(hold.bytes, 0);
  });
});
