import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type KeyboardEvent } from 'react';
import { siblings } from '../../../shared/inventory/summarize';
import type { InventoryTag } from '../../../shared/inventory/types';
import { moveRowSelection, openDetailOnEnter } from '../../components/row-selection';
import { CopyMenu } from '../../components/CopyMenu';
import { copyChoices } from './copy-choices';
import type { SortKey } from '../../stores/inventory-store';
import { useScopedInventoryStore } from '../../stores/inventory-scope';
import type { InventoryItem } from './derive';
import { formatAge, formatBytes, shortDigest } from './format';

const ROW_HEIGHT = 34;
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'tag', label: 'Tag' },
  { key: 'image', label: 'Image' },
  { key: 'digest', label: 'Digest' },
  { key: 'kind', label: 'Kind' },
  { key: 'size', label: 'Size' },
  { key: 'created', label: 'Created' },
  { key: 'pushed', label: 'Pushed' },
];

function Badges({ row, digestGroup }: { row: InventoryTag; digestGroup: readonly InventoryTag[] | null }) {
  const shared = siblings(digestGroup ?? undefined, row);
  const more = shared.others > shared.names.length ? ` and ${shared.others - shared.names.length} more` : '';
  return (
    <>
      {row.kind === 'index' && <span className="badge" title={`${row.platforms?.length ?? 0} platforms`}>index · {row.platforms?.length ?? 0}</span>}
      {row.kind === 'werf-service' && <span className="badge subtle" title="werf bookkeeping: never a stale user tag">werf {row.service}</span>}
      {row.kind !== 'werf-service' && row.service === 'stage' && (
        <span className="badge subtle" title="werf stage: its name carries the time werf built it; werf cleanup decides its fate, not tag policies">werf stage</span>
      )}
      {row.kind === 'signature' && <span className="badge subtle" title={`describes ${row.signatureOf}`}>signature</span>}
      {shared.others > 0 && <span className="badge warn" title={`Same digest as: ${shared.names.join(', ')}${more}`}>shared ×{shared.others + 1}</span>}
      {row.error && <span className="badge error" title={row.error}>error</span>}
    </>
  );
}

/** A virtualized table: only the rows in view are in the DOM, so 20,000 tags scroll smoothly. */
export function InventoryTable({ items, now }: { items: InventoryItem[]; now: number }) {
  const { sort, setSort, selected, select, request } = useScopedInventoryStore()();
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  const selectedIndex = items.findIndex((i) => i.key === selected);
  const onKey = (e: KeyboardEvent) => {
    if (moveRowSelection(e, items, selectedIndex, select, (i) => virtual.scrollToIndex(i))) return;
    openDetailOnEnter(e, selectedIndex);
  };

  return (
    <div className="inventory-table" role="table" aria-label="Tags" aria-rowcount={items.length}>
      <div className="inv-row inv-head" role="row">
        {COLUMNS.map((c) => (
          <div key={c.key} role="columnheader" className={`inv-cell col-${c.key}`} aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
            <button type="button" className="ghost sort" onClick={() => setSort(c.key)}>
              {c.label}
              {/* A thin space keeps the arrow close (the column is sized for it); aria-sort says the order. */}
              {sort.key === c.key && <span aria-hidden="true">{sort.desc ? '\u2009▾' : '\u2009▴'}</span>}
            </button>
          </div>
        ))}
      </div>
      <div className="inv-scroll" ref={scroller} tabIndex={0} onKeyDown={onKey} aria-label="Tag rows (arrow keys move the selection)">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((v) => {
            const item = items[v.index]!;
            const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` };
            if (item.type === 'group') {
              return (
                <div key={item.key} role="row" className="inv-row inv-group" style={style}>
                  <div role="cell" className="inv-cell group-label">
                    <strong>{item.label}</strong> <span className="muted">{item.count} tag{item.count === 1 ? '' : 's'}</span>
                  </div>
                </div>
              );
            }
            const { row, digestGroup } = item;
            return (
              <div
                key={item.key}
                role="row"
                aria-selected={selected === item.key}
                data-tag={row.tag}
                className={`inv-row${selected === item.key ? ' selected' : ''}`}
                style={style}
                onClick={() => select(item.key)}
              >
                <div role="cell" className="inv-cell col-tag" title={`${row.repository}:${row.tag}`}>
                  <code>{row.tag}</code>
                  {<CopyMenu choices={copyChoices(row, request?.imagesRepo ?? '')} label={`Copy ${row.tag}`} />}
                </div>
                <div role="cell" className="inv-cell col-image">{row.image === undefined ? <span className="muted">—</span> : row.image === null ? <em className="muted">nameless</em> : row.image}</div>
                <div role="cell" className="inv-cell col-digest"><code title={row.digest ?? undefined}>{shortDigest(row.digest)}</code></div>
                <div role="cell" className="inv-cell col-kind"><Badges row={row} digestGroup={digestGroup} /></div>
                <div role="cell" className="inv-cell col-size">{formatBytes(row.size)}</div>
                <div role="cell" className="inv-cell col-created" title={row.created}>{formatAge(row.created, now)}</div>
                <div role="cell" className="inv-cell col-pushed" title={row.pushed}>{formatAge(row.pushed, now)}</div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
