// Questions a child asks the master (the pool's scoreboard for the status page), with a deadline: a
// master that does not answer must not hang the request.
import type { MasterMessage } from '../ipc/messages.js';
import type { PoolSnapshot } from '../status/snapshot.js';
import { sendToMaster } from '../log/child-log.js';

const ANSWER_TIMEOUT_MS = 2000;
let nextId = 1;
const pending = new Map<number, (snapshot: PoolSnapshot | undefined) => void>();

export function onMasterAnswer(message: MasterMessage): void {
  if (message.type !== 'status-reply') return;
  const resolve = pending.get(message.id);
  pending.delete(message.id);
  resolve?.(message.snapshot);
}

/** The pool's scoreboard, or undefined when the master did not answer in time. */
export function askPoolSnapshot(): Promise<PoolSnapshot | undefined> {
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve(undefined);
    }, ANSWER_TIMEOUT_MS);
    pending.set(id, (snapshot) => {
      clearTimeout(timer);
      resolve(snapshot);
    });
    // The master reads every slot on this, this child's included: this very request counts as active
    // (php-fpm's status-basic test).
    sendToMaster({ type: 'status-query', id });
  });
}
