import { performance } from 'node:perf_hooks';
import type { CheckStep, CheckStepName } from '../../../../shared/credentials/types';
import type { Redactor } from '../redactor';
import type { Outcome } from './state';

export const STEP_TITLES: Record<CheckStepName, string> = {
  resolve: 'Resolve the host name',
  tls: 'TLS handshake',
  ping: 'Registry API (GET /v2/)',
  credentials: 'Credentials',
  'token-pull': 'Token for pull',
  'token-push': 'Token for push',
  'token-delete': 'Token for delete',
  'list-tags': 'List tags',
  'delete-permission': 'Delete permission (nothing is deleted)',
};

/** Times each step, turns a throw into a failed step, scrubs secrets, and streams every step as it ends. */
export class StepRecorder {
  readonly list: CheckStep[] = [];
  constructor(
    private readonly redactor: Redactor,
    private readonly onStep?: (step: CheckStep) => void,
  ) {}

  async run(name: CheckStepName, fn: () => Promise<Outcome>): Promise<Outcome> {
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await fn();
    } catch (error) {
      // A bug or an SDK surprise must not lose the report: the step says what blew up.
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      outcome = { status: 'fail', detail: `Unexpected error: ${message.split('\n')[0]}`, hint: 'This is a Stowage problem; please report it with the detail above.' };
    }
    this.#emit(name, outcome, Math.round(performance.now() - started));
    return outcome;
  }

  skip(name: CheckStepName, detail: string): void {
    this.#emit(name, { status: 'skip', detail }, 0);
  }

  #emit(name: CheckStepName, o: Outcome, durationMs: number): void {
    const step: CheckStep = { name, title: o.title ?? STEP_TITLES[name], status: o.status, detail: o.detail, durationMs };
    if (o.hint !== undefined) step.hint = o.hint;
    if (o.httpStatus !== undefined) step.httpStatus = o.httpStatus;
    if (o.registryError !== undefined) step.registryError = o.registryError;
    if (o.undetermined) step.undetermined = true;
    const clean = this.redactor.scrubDeep(step);
    this.list.push(clean);
    this.onStep?.(clean);
  }
}
