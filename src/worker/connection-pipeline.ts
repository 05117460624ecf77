// Pipelining on a kept connection: a web server may send the next request before it has read the
// answer to the previous one. PHP-FPM serves one request at a time per connection and reads the next
// only after answering, so both are answered, in order. Here the records that arrive once the
// current request's input is complete wait (and reading pauses: the kernel buffers the rest) until
// the current request is answered; only an FCGI_ABORT_REQUEST for the running request goes through.
import { FCGI_ABORT_REQUEST } from '../fastcgi/constants.js';
import type { FcgiRecord } from '../fastcgi/record.js';
import type { ServerSession } from '../fastcgi/session.js';

export class PipelineHold {
  #records: FcgiRecord[] | undefined;

  /** Records wait (and the connection should not read). */
  get holding(): boolean {
    return this.#records !== undefined;
  }

  /** True when the record must wait for the current request to be answered (it is then kept). */
  takes(record: FcgiRecord, session: Pick<ServerSession, 'phase' | 'activeRequestId'>): boolean {
    if (this.#records !== undefined) {
      this.#records.push(record);
      return true;
    }
    if (session.phase !== 'running') return false;
    if (record.type === FCGI_ABORT_REQUEST && record.requestId === session.activeRequestId) return false;
    this.#records = [record];
    return true;
  }

  /** The waiting records, in order; the hold is empty afterwards. */
  release(): FcgiRecord[] {
    const records = this.#records ?? [];
    this.#records = undefined;
    return records;
  }
}
