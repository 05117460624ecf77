// Incremental FastCGI record decoder, independent of sockets: push(chunk) delivers whole records.
// Records may be split at any byte and one chunk may hold many; content that lies inside one chunk
// is delivered as a view (no copy).
import { ProtocolError } from '../errors.js';
import { FCGI_HEADER_LEN, FCGI_VERSION_1 } from './constants.js';
import type { FcgiRecord } from './record.js';

type State = 'header' | 'content' | 'padding';

/** The content of every empty record (empty PARAMS and STDIN end each request): zero bytes, shared. */
const EMPTY = Buffer.alloc(0);

export class RecordDecoder {
  #state: State = 'header';
  /** Only for a header split across chunks (made then: most connections never need it). */
  #header: Buffer | undefined;
  #headerFill = 0;
  #type = 0;
  #requestId = 0;
  #contentLength = 0;
  #paddingLeft = 0;
  #content: Buffer | undefined;
  #contentFill = 0;

  /** True when bytes of an unfinished record are held (a connection that stops here stopped mid-record). */
  get midRecord(): boolean {
    return this.#state !== 'header' || this.#headerFill > 0;
  }

  /**
   * Feeds bytes; calls onRecord for each complete record, in order.
   * Throws ProtocolError on a bad version byte; the decoder must not be used after that.
   */
  push(chunk: Buffer, onRecord: (record: FcgiRecord) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      switch (this.#state) {
        case 'header': {
          const need = FCGI_HEADER_LEN - this.#headerFill;
          if (this.#headerFill === 0 && chunk.length - offset >= FCGI_HEADER_LEN) {
            this.#readHeader(chunk, offset);
            offset += FCGI_HEADER_LEN;
          } else {
            const take = Math.min(need, chunk.length - offset);
            this.#header ??= Buffer.alloc(FCGI_HEADER_LEN);
            chunk.copy(this.#header, this.#headerFill, offset, offset + take);
            this.#headerFill += take;
            offset += take;
            if (this.#headerFill < FCGI_HEADER_LEN) return;
            this.#readHeader(this.#header, 0);
          }
          if (this.#contentLength === 0) this.#finishContent(EMPTY, onRecord);
          else this.#state = 'content';
          break;
        }
        case 'content': {
          const available = chunk.length - offset;
          if (this.#contentFill === 0 && available >= this.#contentLength) {
            // Whole content in this chunk: hand out a view.
            const content = chunk.subarray(offset, offset + this.#contentLength);
            offset += this.#contentLength;
            this.#finishContent(content, onRecord);
          } else {
            this.#content ??= Buffer.allocUnsafe(this.#contentLength);
            const take = Math.min(this.#contentLength - this.#contentFill, available);
            chunk.copy(this.#content, this.#contentFill, offset, offset + take);
            this.#contentFill += take;
            offset += take;
            if (this.#contentFill === this.#contentLength) {
              const content = this.#content;
              this.#content = undefined;
              this.#contentFill = 0;
              this.#finishContent(content, onRecord);
            }
          }
          break;
        }
        case 'padding': {
          const take = Math.min(this.#paddingLeft, chunk.length - offset);
          this.#paddingLeft -= take;
          offset += take;
          if (this.#paddingLeft === 0) this.#state = 'header';
          break;
        }
      }
    }
  }

  #readHeader(buf: Buffer, at: number): void {
    const version = buf[at];
    if (version !== FCGI_VERSION_1) {
      throw new ProtocolError(
        'TSFPM_ERR_FCGI_BAD_VERSION',
        `record header has version ${String(version)}, expected ${FCGI_VERSION_1}`,
      );
    }
    this.#type = buf[at + 1] ?? 0;
    this.#requestId = buf.readUInt16BE(at + 2);
    this.#contentLength = buf.readUInt16BE(at + 4);
    this.#paddingLeft = buf[at + 6] ?? 0;
    this.#headerFill = 0;
  }

  #finishContent(content: Buffer, onRecord: (record: FcgiRecord) => void): void {
    this.#state = this.#paddingLeft > 0 ? 'padding' : 'header';
    onRecord({ type: this.#type, requestId: this.#requestId, content });
  }
}
