// An AbortController made only when someone asks for its signal: creating one per request is a
// measurable cost, and most scripts never look at it.
export class LazyAbort {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;
  #listeners: (() => void)[] | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Runs `listener` on abort (at once if already aborted) without making the AbortController. */
  onAbort(listener: () => void): void {
    if (this.#aborted) listener();
    else (this.#listeners ??= []).push(listener);
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
    this.#controller?.abort(reason);
  }
}
