import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type KeyboardEvent } from 'react';
import type { PlannedTag } from '../../../shared/cleanup/types';
import { moveRowSelection, openDetailOnEnter } from '../../components/row-selection';
import { useCleanupStore } from '../../stores/cleanup-store';
import { shortDigest } from '../inventory/format';
import { isProtected, type PlanItem } from './plan';

const ROW_HEIGHT = 34;

export function ActionChip({ tag }: { tag: PlannedTag }) {
  if (tag.action === 'delete') return <span className="chip-action delete" title={`delete by ${tag.method}`}>delete{tag.method === 'tag' ? ' tag' : ''}</span>;
  if (isProtected(tag)) return <span className="chip-action protected" title="kept by a rule every policy obeys">protected</span>;
  return <span className="chip-action keep">keep</span>;
}

/**
 * The plan, one row per tag, virtualized like the Inventory table (only the rows in view are in
 * the DOM). Arrow keys move the selection; Space or K toggles "keep this" on the selected row.
 */
export function PlanTable({ items, overridden }: { items: PlanItem[]; overridden: ReadonlySet<string> }) {
  const { selected, select, toggleOverride } = useCleanupStore();
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  const selectedIndex = items.findIndex((i) => i.key === selected);
  const onKey = (e: KeyboardEvent) => {
    if ((e.key === ' ' || e.key === 'k') && selectedIndex >= 0) {
      const item = items[selectedIndex]!;
      if (item.type === 'row') {
        e.preventDefault();
        toggleOverride(item.tag);
      }
      return;
    }
    if (moveRowSelection(e, items, selectedIndex, select, (i) => virtual.scrollToIndex(i))) return;
    openDetailOnEnter(e, selectedIndex);
  };

  return (
    <div className="inventory-table plan-table" role="table" aria-label="Cleanup plan" aria-rowcount={items.length}>
      <div className="inv-row plan-row inv-head" role="row">
        {['Tag', 'Image', 'Digest', 'Decision', 'Reason'].map((h) => (
          <div key={h} role="columnheader" className="inv-cell plan-head">{h}</div>
        ))}
      </div>
      <div className="inv-scroll" ref={scroller} tabIndex={0} onKeyDown={onKey} aria-label="Plan rows (arrow keys move the selection, K keeps the selected tag)">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((v) => {
            const item = items[v.index]!;
            const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` };
            if (item.type === 'group') {
              return (
                <div key={item.key} role="row" className="inv-row inv-group" style={style}>
                  <div role="cell" className="inv-cell group-label">
                    <strong>{item.label}</strong> <span className="muted">{item.count} tag{item.count === 1 ? '' : 's'}, {item.deletes} to delete</span>
                  </div>
                </div>
              );
            }
            const t = item.tag;
            const first = t.reasons[0];
            return (
              <div
                key={item.key}
                role="row"
                aria-selected={selected === item.key}
                data-tag={t.tag}
                data-action={t.action}
                className={`inv-row plan-row${selected === item.key ? ' selected' : ''}`}
                style={style}
                onClick={() => select(item.key)}
              >
                <div role="cell" className="inv-cell" title={`${t.repository}:${t.tag}`}><code>{t.tag}</code></div>
                <div role="cell" className="inv-cell">{t.image === undefined ? <span className="muted">—</span> : t.image === null ? <em className="muted">nameless</em> : t.image}</div>
                <div role="cell" className="inv-cell"><code title={t.digest ?? undefined}>{shortDigest(t.digest)}</code></div>
                <div role="cell" className="inv-cell">
                  <ActionChip tag={t} />
                  {overridden.has(item.key) && <span className="badge" title="You chose to keep this tag; the plan records it">kept by you</span>}
                </div>
                <div role="cell" className="inv-cell reason" title={t.reasons.map((r) => `${r.rule}: ${r.text}`).join('\n')}>
                  {first ? <><code className="rule">{first.rule}</code> {first.text}</> : <span className="muted">—</span>}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
