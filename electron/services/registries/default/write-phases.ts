/**
 * Keeps a repository's tag writes and manifest deletes apart in time.
 *
 * distribution 2.x deletes a manifest by first removing it and then looking up every tag that
 * points at it; a tag link written at that moment (a manifest PUT under a tag) is read half-written,
 * the lookup fails, and the registry answers 500 with the manifest gone but its tags left dangling
 * (listed, yet resolving to nothing): 3 of 60 digest DELETEs sent alongside 60 tag PUTs to one
 * repository of the local 2.8 did. A run's own placeholder PUTs could race its digest DELETEs
 * that way, so within one repository many PUTs may run together, or many DELETEs, never both.
 */
export type WritePhase = 'put' | 'delete';

export class WritePhases {
  #phase: WritePhase | null = null;
  #active = 0;
  readonly #waiting: { phase: WritePhase; go: () => void }[] = [];

  async run<T>(phase: WritePhase, work: () => Promise<T>): Promise<T> {
    await this.#enter(phase);
    try {
      return await work();
    } finally {
      this.#leave();
    }
  }

  #enter(phase: WritePhase): Promise<void> {
    // Joining the running phase is allowed only while nobody waits, so the other phase is not starved.
    if (this.#active === 0 || (this.#phase === phase && this.#waiting.length === 0)) {
      this.#phase = phase;
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((go) => this.#waiting.push({ phase, go }));
  }

  #leave(): void {
    this.#active--;
    if (this.#active > 0 || this.#waiting.length === 0) return;
    const next = this.#waiting[0]!.phase;
    this.#phase = next;
    for (let i = 0; i < this.#waiting.length; ) {
      const w = this.#waiting[i]!;
      if (w.phase !== next) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      this.#active++;
      w.go();
    }
  }
}
