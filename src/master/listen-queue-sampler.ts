// The pool's listen-queue figures for the status page (listen queue, max listen queue, listen queue
// len), read from the kernel once a second on the process manager's tick, where php-src reads them
// too (sapi/fpm/fpm/fpm_process_ctl.c fpm_pctl_perform_idle_server_maintenance()).
import { ListenQueueProbe } from '../status/listen-queue.js';
import type { BoundSocket } from './bound-socket.js';
import type { PoolCounters } from './scoreboard-view.js';

export class ListenQueueSampler {
  readonly #socket: BoundSocket;
  readonly #counters: PoolCounters;
  #probe: ListenQueueProbe | undefined;
  #sampling = false;

  constructor(socket: BoundSocket, counters: PoolCounters) {
    this.#socket = socket;
    this.#counters = counters;
  }

  /**
   * A sample never overlaps the last. A sample runs `ss` (a fork and an exec), so it is taken only
   * while a child is busy (`anyActive`): in a pool where every child is idle they wait in accept and
   * nothing queues. The first one is always taken, for the backlog.
   */
  sample(anyActive: () => boolean): void {
    const first = this.#probe === undefined;
    this.#probe ??= new ListenQueueProbe(this.#socket.handle.fd, this.#socket.address.kind);
    const probe = this.#probe;
    const counters = this.#counters;
    if (!first && !anyActive()) {
      counters.listenQueue = 0;
      return;
    }
    if (this.#sampling || !probe.usable) return;
    this.#sampling = true;
    void probe
      .sample()
      .then((sample) => {
        if (sample === undefined) return;
        counters.listenQueue = sample.queued;
        counters.maxListenQueue = Math.max(counters.maxListenQueue, sample.queued);
        if (sample.backlog !== undefined) counters.listenQueueLen = sample.backlog;
      })
      .catch(() => undefined)
      .finally(() => {
        this.#sampling = false;
      });
  }
}
