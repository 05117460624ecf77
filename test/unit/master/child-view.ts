// Plain children for the process manager's rules (src/master/pm): ready and idle unless told otherwise.
import type { ChildView } from '../../../src/master/pm/view.js';

export interface TestChild extends ChildView {
  readonly name: string;
}

export function child(name: string, fields: Partial<ChildView> = {}): TestChild {
  return {
    name,
    ready: true,
    running: 0,
    handedOver: 0,
    startedAtMs: 0,
    idleSinceMs: 0,
    endReason: undefined,
    endRequestedAtMs: 0,
    retiring: false,
    ...fields,
  };
}

/** `n` children named `${prefix}0`…, with the same fields. */
export function children(prefix: string, n: number, fields: Partial<ChildView> = {}): TestChild[] {
  return Array.from({ length: n }, (_, i) => child(`${prefix}${i}`, fields));
}

export const busy = { running: 1 } as const;
export const starting = { ready: false } as const;
