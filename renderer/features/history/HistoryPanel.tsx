import { useEffect, useRef } from 'react';
import type { RunHistoryEntry } from '../../../shared/api/cleanup-run';
import { focusWasLost } from '../cleanup/run/focus';
import { useCleanupRunStore } from '../../stores/cleanup-run-store';
import { SummaryLine } from '../cleanup/run/RunPanel';
import { RunResults } from '../cleanup/run/RunResults';
import '../cleanup/cleanup.css';
import { Hint } from '../../components/Hint';

const when = (iso: string) => new Date(iso).toLocaleString();

function HistoryRow({ entry, onOpen }: { entry: RunHistoryEntry; onOpen: (runId: string) => void }) {
  const s = entry.summary;
  return (
    <tr data-run={entry.runId}>
      <td>
        {when(entry.startedAt)}
        {!entry.finishedAt && <span className="badge warn" title="The run stopped before its end (the app was closed or crashed); its journal says what was done">did not finish</span>}
        {s.cancelled && <span className="badge warn">cancelled</span>}
      </td>
      <td><code>{entry.registry}</code></td>
      <td><code title={entry.imagesRepo}>{entry.imagesRepo}</code></td>
      <td className="num">{s.deleted}</td>
      <td className="num">{s.untagged}</td>
      <td className="num">{s.skipped}</td>
      <td className="num">{s.failed}</td>
      <td className="num">{entry.restorable}</td>
      <td>
        <button type="button" onClick={() => onOpen(entry.runId)} aria-label={`Open the run of ${when(entry.startedAt)} on ${entry.imagesRepo}`}>Open</button>
      </td>
    </tr>
  );
}

/** Past cleanup runs from their audit logs, newest first; one opens into its results, with Restore. */
export function HistoryPanel() {
  const { history, opened, loadHistory, openRun, closeRun } = useCleanupRunStore();
  const back = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    void loadHistory();
  }, [loadHistory]);

  // Open and "All runs" leave the DOM when pressed: the focus moves into the opened run and back
  // to the list, but a tab switched to with the arrow keys keeps it.
  useEffect(() => {
    if (!focusWasLost()) return;
    if (opened) back.current?.focus();
    else list.current?.focus();
  }, [opened?.runId]);

  if (opened) {
    const r = opened.report;
    return (
      <div className="cleanup history">
        <div className="row run-head">
          <button type="button" ref={back} onClick={closeRun}>← All runs</button>
          <h3>{r ? `${r.imagesRepo} · ${when(r.startedAt)}` : `Run ${opened.runId}`}</h3>
        </div>
        {opened.loading && <p role="status">Reading the run's audit log…</p>}
        {opened.error && (
          <div className="banner error" role="alert" data-code={opened.error.code}>
            <span><strong>{opened.error.message}</strong>{opened.error.hint ? <> <Hint text={opened.error.hint} /></> : null}</span>
          </div>
        )}
        {r && (
          <div className="card run-panel">
            <SummaryLine summary={r.summary} />
            {r.notes.length > 0 && <ul className="run-notes">{r.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>}
            <p className="muted small">
              Plan <code title={r.planId}>{r.planId.replace(/^sha256:/, '').slice(0, 16)}</code> · {r.implementation} · run <code>{r.runId}</code> · audit log <code>{r.auditLog}</code>
            </p>
            <RunResults runId={r.runId} items={r.results} live={false} />
          </div>
        )}
      </div>
    );
  }

  const entries = history.entries;
  return (
    <div className="cleanup history">
      <div className="row run-head">
        <h3 ref={list} tabIndex={-1}>Cleanup runs</h3>
        <span className="spacer" />
        <button type="button" onClick={() => void loadHistory()} disabled={history.loading}>Refresh</button>
      </div>
      {history.loading && !entries && <p role="status">Reading the audit logs…</p>}
      {history.error && (
        <div className="banner error" role="alert" data-code={history.error.code}>
          <span><strong>{history.error.message}</strong>{history.error.hint ? <> <Hint text={history.error.hint} /></> : null}</span>
        </div>
      )}
      {entries && entries.length === 0 && (
        <p className="empty-state">No cleanup has run yet. Make a plan in Cleanup and delete its tags: every run is listed here from its audit log, and what it deleted can be restored.</p>
      )}
      {entries && entries.length > 0 && (
        <div className="history-scroll">
          <table className="history-table" aria-label="Cleanup runs">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Registry</th>
                <th scope="col">Images repo</th>
                <th scope="col" className="num">Deleted</th>
                <th scope="col" className="num">Untagged</th>
                <th scope="col" className="num">Skipped</th>
                <th scope="col" className="num">Failed</th>
                <th scope="col" className="num">Restorable</th>
                <th scope="col"><span className="visually-hidden">Open</span></th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => <HistoryRow key={e.runId} entry={e} onOpen={(id) => void openRun(id)} />)}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
