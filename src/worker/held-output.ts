// Output held back while the request body is still arriving (nginx stops sending the body once it
// has the response header, so nothing may reach it before the last STDIN record). Bytes stay in
// memory up to a bound, then go to an unlinked temporary file, so a large echo costs no memory.
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const READ_CHUNK = 256 * 1024;

export class HeldOutput {
  readonly #memoryLimit: number;
  #chunks: Buffer[] = [];
  #memoryBytes = 0;
  #file: FileHandle | undefined;
  #fileBytes = 0;
  #disposed = false;

  constructor(memoryLimitBytes: number) {
    this.#memoryLimit = memoryLimitBytes;
  }

  get bytes(): number {
    return this.#memoryBytes + this.#fileBytes;
  }

  get spilled(): boolean {
    return this.#file !== undefined;
  }

  async append(data: Buffer): Promise<void> {
    if (this.#disposed) return; // the connection is gone: nobody reads this any more
    if (this.#file === undefined && this.#memoryBytes + data.length <= this.#memoryLimit) {
      this.#chunks.push(data);
      this.#memoryBytes += data.length;
      return;
    }
    // Once spilled, everything later goes to the file too, so the order is memory then file.
    let file = this.#file;
    if (file === undefined) {
      file = await openAnonymousFile();
      if (this.#disposed) {
        // Disposed while the file was being opened: it would stay open until a garbage collection.
        await file.close();
        return;
      }
      this.#file = file;
    }
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await file.write(data, written, data.length - written, this.#fileBytes);
      written += bytesWritten;
      this.#fileBytes += bytesWritten;
    }
  }

  /** Yields everything held, in order, then forgets it. */
  async *drain(): AsyncGenerator<Buffer> {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#memoryBytes = 0;
    yield* chunks;
    const file = this.#file;
    if (file === undefined) return;
    try {
      for (let position = 0; position < this.#fileBytes;) {
        const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, this.#fileBytes - position));
        const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) throw new Error('held output file ended early');
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      this.#file = undefined;
      this.#fileBytes = 0;
      await file.close();
    }
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#chunks = [];
    this.#memoryBytes = 0;
    const file = this.#file;
    this.#file = undefined;
    this.#fileBytes = 0;
    await file?.close();
  }
}

async function openAnonymousFile(): Promise<FileHandle> {
  const path = join(tmpdir(), `tsfpm-out-${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(path, 'wx+', 0o600);
  // Unlinked at once: the data lives only as long as the descriptor, even if the child is killed.
  await unlink(path);
  return handle;
}
