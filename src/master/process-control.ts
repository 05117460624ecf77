// The master's state machine (php-fpm's fpm_pctl): which state may override which, so that a storm
// of signals cannot tangle the master. Pure: the master applies the transitions.

export type PctlState = 'normal' | 'reloading' | 'finishing' | 'terminating';
export type PctlAction = 'reload' | 'finish' | 'terminate';

export const ACTION_STATE: Record<PctlAction, PctlState> = {
  reload: 'reloading',
  finish: 'finishing',
  terminate: 'terminating',
};

/** normal → anything; reloading → finishing or terminating; finishing → terminating; terminating → nothing. */
const OVERRIDES: Record<PctlState, readonly PctlState[]> = {
  normal: ['reloading', 'finishing', 'terminating'],
  reloading: ['finishing', 'terminating'],
  finishing: ['terminating'],
  terminating: [],
};

export function canEnter(current: PctlState, next: PctlState): boolean {
  return OVERRIDES[current].includes(next);
}

/** The escalation ladder: first signal, then after process_control_timeout the next, then 1 s each. */
export const ESCALATION: Record<'graceful' | 'immediate', readonly NodeJS.Signals[]> = {
  graceful: ['SIGQUIT', 'SIGTERM', 'SIGKILL'],
  immediate: ['SIGTERM', 'SIGKILL'],
};
