// Start-up and reload wait until their children are ready. The condition is re-checked each time a
// child becomes ready or exits (a failed start wakes the waiters too, which re-check).

export class Readiness {
  #waiters: (() => void)[] = [];

  /** Resolves once `done()` holds; checked now and then at every wake(). */
  until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (done()) resolve();
        else this.#waiters.push(check);
      };
      check();
    });
  }

  wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const check of waiters) check();
  }
}
