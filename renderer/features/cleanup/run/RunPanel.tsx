import { useEffect, useRef, useState } from 'react';
import type { RunSummary } from '../../../../shared/api/cleanup-run';
import { focusWasLost } from './focus';
import { useCleanupRunStore } from '../../../stores/cleanup-run-store';
import { countdown } from './results';
import { RunResults } from './RunResults';

/** "Waiting for the registry's rate limit: 0:42" — ticks every second until the run resumes. */
function RateLimitWait({ until }: { until: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [until]);
  if (Date.parse(until) <= now) return null;
  return (
    <span className="rate-wait" data-testid="rate-limit-wait">
      Waiting for the registry's rate limit: resumes in <strong>{countdown(until, now)}</strong>
    </span>
  );
}

export function SummaryLine({ summary }: { summary: RunSummary }) {
  return (
    <div className="totals run-totals" data-testid="run-summary">
      <span><strong data-testid="run-deleted">{summary.deleted}</strong> deleted</span>
      <span><strong data-testid="run-untagged">{summary.untagged}</strong> untagged</span>
      <span><strong data-testid="run-skipped">{summary.skipped}</strong> skipped</span>
      <span><strong data-testid="run-failed">{summary.failed}</strong> failed</span>
      <span><strong>{summary.manifestsDeleted}</strong> manifests deleted</span>
      {summary.cancelled && <span className="badge warn">cancelled</span>}
    </div>
  );
}

/**
 * A cleanup run in the Cleanup view: live progress per tag with cancel, then the results and
 * restore. `onDone` goes back to planning (the registry changed, so the inputs are gathered again).
 */
export function RunPanel({ onDone }: { onDone: () => void }) {
  const { stage, request, progress, items, report, error, cancel } = useCleanupRunStore();
  const heading = useRef<HTMLHeadingElement>(null);
  const running = stage === 'running' || stage === 'cancelling';
  const finished = stage === 'done';

  // The confirmation that started the run, and the Cancel button when it ends, leave the DOM and
  // take the focus with them: it comes here, never away from where the user put it.
  useEffect(() => {
    if (focusWasLost()) heading.current?.focus();
  }, [finished]);

  const total = progress?.total;
  return (
    <div className="card run-panel">
      <div className="row run-head">
        <h3 ref={heading} tabIndex={-1}>
          {running
            ? `Deleting from ${request?.imagesRepo ?? ''}`
            : report?.summary.cancelled || error?.code === 'cancelled'
              ? 'Cleanup cancelled'
              : error
                ? 'Cleanup failed'
                : report && report.summary.failed > 0
                  ? `Cleanup finished: ${report.summary.failed} of ${report.summary.total} failed`
                  : 'Cleanup finished'}
        </h3>
        <span className="spacer" />
        {running ? (
          <button type="button" onClick={cancel} disabled={stage === 'cancelling'}>
            {stage === 'cancelling' ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : (
          <button type="button" className="primary" onClick={onDone}>Plan again</button>
        )}
      </div>

      {running && (
        <div className="progress" role="status" aria-live="polite" data-testid="run-progress">
          <progress max={total || undefined} value={total ? progress?.done ?? 0 : undefined} />
          <span>
            {stage === 'cancelling'
              ? 'Cancelling: requests already sent finish or abort; no new delete starts.'
              : progress
                ? `${progress.done} of ${progress.total} tags done${progress.item ? ` — last: ${progress.item.tag} ${progress.item.outcome}` : ''}`
                : 'Checking each tag again before its delete…'}
          </span>
          {progress?.waitingUntil && stage === 'running' && <RateLimitWait until={progress.waitingUntil} />}
        </div>
      )}

      {error && (
        <div className={`banner ${error.code === 'cancelled' ? 'warn' : 'error'}`} role="alert" data-code={error.code}>
          <span><strong>{error.message}</strong>{error.hint ? <> {error.hint}</> : null}</span>
        </div>
      )}

      {report && (
        <>
          <SummaryLine summary={report.summary} />
          {report.notes.length > 0 && (
            <ul className="run-notes">{report.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>
          )}
          <p className="muted small">
            Run <code data-testid="run-id">{report.runId}</code> · audit log <code>{report.auditLog}</code>
          </p>
        </>
      )}

      {(running || report) && <RunResults runId={report?.runId ?? null} items={report ? report.results : items} live={running || !report} />}
    </div>
  );
}
