import type { AppError } from '../../../../shared/api/result';
import type { DriverContext } from '../../inventory/types';
import { WritePhases } from './write-phases';

/**
 * What the default driver learns and coordinates during one run. A run (or a restore) has one
 * DriverContext, so the context keys it and it goes away with the run.
 */
export type UntagVerdict = 'tag-delete' | 'placeholder' | 'disabled';

export interface RunState {
  untag: UntagVerdict | null;
  /** Whoever is asking the registry how it untags right now; the others wait for its answer. */
  learning: Promise<void> | null;
  /** Per repository: the placeholder's config blob is there (null) or could not be put (the error). */
  emptyBlob: Map<string, Promise<AppError | null>>;
  phases(repository: string): WritePhases;
}

const runs = new WeakMap<DriverContext, RunState>();

export function runState(ctx: DriverContext): RunState {
  let s = runs.get(ctx);
  if (!s) {
    const phases = new Map<string, WritePhases>();
    s = {
      untag: null,
      learning: null,
      emptyBlob: new Map(),
      phases: (repository) => {
        let p = phases.get(repository);
        if (!p) {
          p = new WritePhases();
          phases.set(repository, p);
        }
        return p;
      },
    };
    runs.set(ctx, s);
  }
  return s;
}
