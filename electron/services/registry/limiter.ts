/**
 * A FIFO semaphore. The inventory will fire thousands of HEAD requests; registries (and Docker
 * Hub's secondary limits in particular) punish bursts, so every request to a host takes a slot.
 */
export class ConcurrencyLimiter {
  readonly limit: number;
  #active = 0;
  readonly #waiting: Array<{ grant: () => void }> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get pending(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves with a release function once a slot is free. Rejects with the signal's reason if the
   * signal fires while waiting; the slot is then never taken.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.limit) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#active++;
          resolve(this.#releaser());
        },
      };
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(entry);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(entry);
    });
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      const next = this.#waiting.shift();
      if (next) next.grant();
    };
  }
}

/** One limiter per key (a registry host), created on first use. */
export class KeyedLimiter {
  readonly #limiters = new Map<string, ConcurrencyLimiter>();

  constructor(readonly limitPerKey: number) {}

  for(key: string): ConcurrencyLimiter {
    let l = this.#limiters.get(key);
    if (!l) {
      l = new ConcurrencyLimiter(this.limitPerKey);
      this.#limiters.set(key, l);
    }
    return l;
  }
}
