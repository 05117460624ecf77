// Re-frames a run of encoded records so that STDOUT content goes out in full records of
// FCGI_OUTPUT_CHUNK_LEN bytes (64 KiB with the header), whatever sizes the script wrote it in.
//
// Used on output that was held back while the request body arrived and is then sent in one go. A
// record header that lands across two of a client's reads is where clients go wrong: Debian's
// cgi-fcgi (libfcgi 2.4.2) copies the second part of such a header to the wrong address and then
// either aborts or silently changes a byte of the body. Full records keep every header on a 64 KiB
// boundary, so a client reading 8 KiB at a time never sees one split (PHP-FPM's fixed 8 KiB records
// give it the same property). It also means fewer records for the web server to parse.
import { FCGI_STDOUT, FCGI_OUTPUT_CHUNK_LEN, FCGI_HEADER_LEN } from './constants.js';
import { RecordDecoder } from './decoder.js';
import { encodeRecord, encodeStream, writeHeader, type FcgiRecord } from './record.js';

export class StdoutReframer {
  readonly #decoder = new RecordDecoder();
  /** STDOUT content not yet sent: views into the pushed chunks, which nobody writes to again. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #requestId = 0;

  /** Feeds encoded records (split anywhere); returns the re-framed bytes that are ready. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.#decoder.push(chunk, (record) => this.#take(record, out));
    return out;
  }

  /** The end of the run: the STDOUT content still pending, as one last shorter record. */
  end(): Buffer[] {
    if (this.#decoder.midRecord) throw new Error('held output ended in the middle of a record');
    const out: Buffer[] = [];
    this.#flushPartial(out);
    return out;
  }

  #take(record: FcgiRecord, out: Buffer[]): void {
    if (record.type === FCGI_STDOUT && record.content.length > 0) {
      if (record.requestId !== this.#requestId) this.#flushPartial(out);
      this.#requestId = record.requestId;
      this.#pending.push(record.content);
      this.#pendingBytes += record.content.length;
      while (this.#pendingBytes >= FCGI_OUTPUT_CHUNK_LEN) out.push(this.#fullRecord());
      return;
    }
    // Anything else (STDERR, the empty STDOUT that ends the stream, END_REQUEST) keeps its place
    // after the STDOUT content before it.
    this.#flushPartial(out);
    out.push(encodeRecord(record.type, record.requestId, record.content));
  }

  #fullRecord(): Buffer {
    const out = Buffer.allocUnsafe(FCGI_HEADER_LEN + FCGI_OUTPUT_CHUNK_LEN);
    writeHeader(out, 0, FCGI_STDOUT, this.#requestId, FCGI_OUTPUT_CHUNK_LEN, 0);
    let filled = 0;
    while (filled < FCGI_OUTPUT_CHUNK_LEN) {
      const head = this.#pending[0];
      if (head === undefined) throw new Error('reframer: pending STDOUT shorter than its count');
      const take = Math.min(head.length, FCGI_OUTPUT_CHUNK_LEN - filled);
      out.set(take === head.length ? head : head.subarray(0, take), FCGI_HEADER_LEN + filled);
      filled += take;
      if (take === head.length) this.#pending.shift();
      else this.#pending[0] = head.subarray(take);
    }
    this.#pendingBytes -= FCGI_OUTPUT_CHUNK_LEN;
    return out;
  }

  #flushPartial(out: Buffer[]): void {
    if (this.#pendingBytes === 0) return;
    const rest =
      this.#pending.length === 1 && this.#pending[0] !== undefined ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    out.push(encodeStream(FCGI_STDOUT, this.#requestId, rest));
  }
}
