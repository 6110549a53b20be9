import type { CheckStep } from '../../../shared/credentials/types';
import { useRef } from 'react';
import { Hint } from '../../components/Hint';
import { useRevealWhenShown } from '../../components/reveal';

const ICON: Record<CheckStep['status'], string> = { pass: '✓', fail: '✕', skip: '–', warn: '!' };

/**
 * An error status on a passed step is the answer the registry should give there (401 to an
 * anonymous GET /v2/ means "log in", which is how the check learns the auth scheme): say so,
 * rather than show an error code beside a green tick.
 */
function httpText(step: CheckStep): string | null {
  if (step.httpStatus === undefined) return null;
  if (step.status !== 'pass' || step.httpStatus < 400) return `HTTP ${step.httpStatus}`;
  if (step.httpStatus === 401) return 'HTTP 401, as expected: the registry asks to log in';
  return `HTTP ${step.httpStatus}, as expected here`;
}

export function CheckSteps({ steps, running }: { steps: CheckStep[]; running: boolean }) {
  const list = useRef<HTMLOListElement>(null);
  // The steps appear below the form; on a short window they would arrive unseen.
  useRevealWhenShown(list, steps.length > 0 || running);
  if (steps.length === 0 && !running) return null;
  return (
    <ol className="check-steps" aria-label="Connection check steps" aria-live="polite" ref={list}>
      {steps.map((step) => (
        <li key={step.name} className={`check-step ${step.status}`} data-step={step.name} data-status={step.status}>
          <span className="icon" aria-label={step.status}>{ICON[step.status]}</span>
          <div>
            <div className="title">
              {step.title}
              {httpText(step) !== null && <span className={`http ${step.status === 'pass' ? 'muted' : ''}`} data-testid="check-http">{httpText(step)}</span>}
              {/* A skipped step did not run: it has no duration to show. */}
              {step.status !== 'skip' && <span className="muted duration">{step.durationMs < 1 ? '< 1 ms' : `${step.durationMs} ms`}</span>}
            </div>
            <div className="detail">{step.detail}</div>
            {step.registryError && <div className="registry-error"><span className="muted">Registry said:</span> <code>{step.registryError}</code></div>}
            {step.hint && <div className="hint"><Hint text={step.hint} /></div>}
          </div>
        </li>
      ))}
      {running && (
        <li className="check-step running">
          <span className="icon spinner" aria-hidden="true">◌</span>
          <div className="title">Checking…</div>
        </li>
      )}
    </ol>
  );
}
