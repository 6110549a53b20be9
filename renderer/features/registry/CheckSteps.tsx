import type { CheckStep } from '../../../shared/credentials/types';
import { useRef } from 'react';
import { Hint } from '../../components/Hint';
import { useRevealWhenShown } from '../../components/reveal';

const ICON: Record<CheckStep['status'], string> = { pass: '✓', fail: '✕', skip: '–', warn: '!' };

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
              {step.httpStatus !== undefined && <code className="http">HTTP {step.httpStatus}</code>}
              <span className="muted duration">{step.durationMs} ms</span>
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
