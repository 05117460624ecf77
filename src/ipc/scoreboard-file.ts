// The file behind a child's scoreboard slot: created by the master in shared memory (tmpfs at
// /dev/shm where there is one, else the temporary directory), unlinked at once, so only the master and
// the child that inherits the descriptor can reach it and nothing is left behind by a crash. Node has
// no memfd_create(2); an unlinked tmpfs file is the same thing by another route.
import { accessSync, closeSync, constants, ftruncateSync, openSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SLOT_BYTES } from './scoreboard-layout.js';

let directory: string | undefined;

function slotDirectory(): string {
  if (directory !== undefined) return directory;
  try {
    accessSync('/dev/shm', constants.W_OK);
    directory = '/dev/shm';
  } catch {
    directory = tmpdir();
  }
  return directory;
}

/** A new zero-filled slot file, open for reading and writing; the caller closes it. */
export function createSlotFile(): number {
  const path = join(slotDirectory(), `tsfpm-scoreboard-${process.pid}-${randomBytes(6).toString('hex')}`);
  // O_EXCL: never someone else's file planted at that name.
  const fd = openSync(path, 'wx+', 0o600);
  try {
    unlinkSync(path);
    ftruncateSync(fd, SLOT_BYTES);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}
