import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { RestoreItem, RunItem } from '../../../../shared/api/cleanup-run';
import { useCleanupRunStore, type RestoreState } from '../../../stores/cleanup-run-store';
import { shortDigest } from '../../inventory/format';
import { filterRunItems, isRestorable, outcomeCounts, outcomeDetail, restoreCounts, runItemKey, type OutcomeFilter } from './results';

const ROW_HEIGHT = 34;
const EMPTY: RestoreState = { running: false, done: 0, total: 0, items: {}, error: null };

function OutcomeChip({ item }: { item: RunItem }) {
  return <span className={`chip-outcome ${item.outcome}`}>{item.outcome === 'skipped' && item.skipReason ? `skipped · ${item.skipReason}` : item.outcome}</span>;
}

function RestoreCell({ item }: { item: RestoreItem | undefined }) {
  if (!item) return null;
  return <span className={`chip-outcome ${item.outcome}`} title={[item.detail, item.hint].filter(Boolean).join(' ')}>{item.outcome}</span>;
}

/**
 * A run's results, one row per tag, virtualized like the plan (a run of 20,000 tags scrolls).
 * Filter by outcome or text; tick rows (or not) and restore them. While `live`, rows arrive as the
 * run reports them and nothing can be restored yet.
 */
export function RunResults({ runId, items, live }: { runId: string | null; items: readonly RunItem[]; live: boolean }) {
  const restore = useCleanupRunStore((s) => (runId ? s.restores[runId] : undefined)) ?? EMPTY;
  const startRestore = useCleanupRunStore((s) => s.restore);
  const cancelRestore = useCleanupRunStore((s) => s.cancelRestore);
  const [outcome, setOutcome] = useState<OutcomeFilter>('all');
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  const counts = useMemo(() => outcomeCounts(items), [items]);
  const visible = useMemo(() => filterRunItems(items, outcome, text), [items, outcome, text]);
  const virtual = useVirtualizer({ count: visible.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const restoredCounts = useMemo(() => restoreCounts(Object.values(restore.items)), [restore.items]);
  const canRestore = !live && runId !== null && !restore.running;
  // A tag already brought back here is not offered again.
  const restorable = (i: RunItem) => isRestorable(i) && restore.items[runItemKey(i)]?.outcome !== 'restored';
  const chosen = items.filter((i) => checked.has(runItemKey(i)) && restorable(i));
  const remaining = items.filter(restorable);
  const restoreRows = (rows: RunItem[] | null) => {
    if (!runId) return;
    setChecked(new Set());
    void startRestore(runId, rows?.map(({ repository, tag }) => ({ repository, tag })));
  };
  const detail = selected ? items.find((i) => runItemKey(i) === selected) : undefined;

  const toggle = (key: string) =>
    setChecked((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const selectedIndex = visible.findIndex((i) => runItemKey(i) === selected);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.min(visible.length - 1, Math.max(0, selectedIndex + (e.key === 'ArrowDown' ? 1 : -1)));
      if (visible[next]) {
        setSelected(runItemKey(visible[next]));
        virtual.scrollToIndex(next);
      }
    } else if (e.key === ' ' && detail && restorable(detail) && !live) {
      e.preventDefault();
      toggle(runItemKey(detail));
    }
  };

  const label = (f: OutcomeFilter, name: string) => `${name} (${f === 'all' ? items.length : counts[f]})`;
  return (
    <section className="run-results" aria-label="Run results">
      <div className="inv-controls">
        <input type="search" aria-label="Filter results" placeholder="Filter by tag, digest, method, error…" value={text} onChange={(e) => setText(e.target.value)} />
        <label>
          Show{' '}
          <select aria-label="Show outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as OutcomeFilter)}>
            <option value="all">{label('all', 'every tag')}</option>
            <option value="deleted">{label('deleted', 'deleted')}</option>
            <option value="untagged">{label('untagged', 'untagged')}</option>
            <option value="skipped">{label('skipped', 'skipped')}</option>
            <option value="failed">{label('failed', 'failed')}</option>
            <option value="restorable">{label('restorable', 'restorable')}</option>
          </select>
        </label>
        <span className="muted" data-testid="results-visible">{visible.length} shown</span>
        {!live && runId && (
          <span className="row restore-actions">
            <button type="button" disabled={!canRestore || chosen.length === 0} onClick={() => restoreRows(chosen)}>
              Restore {chosen.length} selected
            </button>
            <button type="button" disabled={!canRestore || remaining.length === 0} onClick={() => restoreRows(remaining.length === counts.restorable ? null : remaining)}>
              Restore the run ({remaining.length})
            </button>
          </span>
        )}
      </div>

      {(restore.running || restore.total > 0 || restore.error) && (
        <div className="restore-status" role="status" aria-live="polite" data-testid="restore-status">
          {restore.running ? (
            <>
              <progress max={restore.total || undefined} value={restore.total ? restore.done : undefined} />
              <span>Restoring: {restore.done}{restore.total ? ` of ${restore.total}` : ''}</span>
              <button type="button" onClick={cancelRestore}>Cancel restore</button>
            </>
          ) : (
            <span>
              Restore: <strong data-testid="restore-restored">{restoredCounts.restored}</strong> restored, <strong data-testid="restore-failed">{restoredCounts.failed}</strong> failed
              {restoredCounts.restored > 0 ? ' — each checked by resolving the tag to its original digest.' : '.'}
            </span>
          )}
        </div>
      )}
      {restore.error && (
        <div className={`banner ${restore.error.code === 'cancelled' ? 'warn' : 'error'}`} role="alert" data-code={restore.error.code}>
          <span><strong>{restore.error.message}</strong>{restore.error.hint ? <> {restore.error.hint}</> : null}</span>
        </div>
      )}

      {items.length === 0 ? (
        <p className="empty-state">{live ? 'Waiting for the first tag…' : 'This run has no tags.'}</p>
      ) : visible.length === 0 ? (
        <p className="empty-state">No tag matches these filters.</p>
      ) : (
        <div className="inventory-table results-table" role="table" aria-label="Cleanup results" aria-rowcount={visible.length}>
          <div className="inv-row result-row inv-head" role="row">
            {['Select', 'Tag', 'Digest', 'Outcome', 'Method', 'Detail', 'Restore'].map((h) => (
              <div key={h} role="columnheader" className="inv-cell plan-head">{h === 'Select' ? <span className="visually-hidden">Select</span> : h}</div>
            ))}
          </div>
          <div className="inv-scroll results-scroll" style={{ height: Math.min(visible.length * ROW_HEIGHT + 4, 460) }} ref={scroller} tabIndex={0} onKeyDown={onKey} aria-label="Result rows (arrow keys move, Space ticks a restorable row)">
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {virtual.getVirtualItems().map((v) => {
                const item = visible[v.index]!;
                const key = runItemKey(item);
                const restored = restore.items[key];
                const text = outcomeDetail(item);
                return (
                  <div
                    key={key}
                    role="row"
                    aria-selected={selected === key}
                    data-tag={item.tag}
                    data-outcome={item.outcome}
                    data-restore={restored?.outcome}
                    className={`inv-row result-row${selected === key ? ' selected' : ''}`}
                    style={{ position: 'absolute', top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` }}
                    onClick={() => setSelected(key)}
                  >
                    <div role="cell" className="inv-cell">
                      {restorable(item) && !live && (
                        <input type="checkbox" aria-label={`Select ${item.tag} to restore`} checked={checked.has(key)} onChange={() => toggle(key)} onClick={(e) => e.stopPropagation()} />
                      )}
                    </div>
                    <div role="cell" className="inv-cell" title={`${item.repository}:${item.tag}`}><code>{item.tag}</code></div>
                    <div role="cell" className="inv-cell"><code title={item.digest ?? undefined}>{shortDigest(item.digest)}</code></div>
                    <div role="cell" className="inv-cell"><OutcomeChip item={item} /></div>
                    <div role="cell" className="inv-cell muted" title={item.method}>{item.method}</div>
                    <div role="cell" className="inv-cell" title={[text, item.hint].filter(Boolean).join(' ')}>{text}{item.hint ? <span className="muted"> {item.hint}</span> : null}</div>
                    <div role="cell" className="inv-cell"><RestoreCell item={restored} /></div>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}

      {detail && (
        <aside className="card result-detail" aria-label={`Result for ${detail.tag}`}>
          <h3><code>{detail.repository}:{detail.tag}</code> <OutcomeChip item={detail} /></h3>
          <dl>
            <dt>Digest</dt>
            <dd><code>{detail.digest ?? '—'}</code></dd>
            <dt>Method</dt>
            <dd><code>{detail.method}</code></dd>
            {outcomeDetail(detail) && (
              <>
                <dt>{detail.outcome === 'failed' ? 'Registry said' : 'Why'}</dt>
                <dd>{outcomeDetail(detail)}</dd>
              </>
            )}
            {detail.hint && (
              <>
                <dt>What to do</dt>
                <dd>{detail.hint}</dd>
              </>
            )}
            {restore.items[runItemKey(detail)] && (
              <>
                <dt>Restore</dt>
                <dd>
                  {restore.items[runItemKey(detail)]!.outcome}
                  {restore.items[runItemKey(detail)]!.detail ? ` — ${restore.items[runItemKey(detail)]!.detail}` : ''}
                  {restore.items[runItemKey(detail)]!.hint ? ` ${restore.items[runItemKey(detail)]!.hint}` : ''}
                </dd>
              </>
            )}
          </dl>
        </aside>
      )}
    </section>
  );
}
