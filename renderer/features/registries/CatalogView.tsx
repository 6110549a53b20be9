import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useRegistriesStore, type CatalogRow } from '../../stores/registries-store';
import { ARTIFACT_COUNT_TITLE, catalogCountLabel, matchesFilter } from './format';
import { RepositoryInventory } from './RepositoryInventory';
import { Hint } from '../../components/Hint';

const ROW_HEIGHT = 34;
const CATALOG_HEIGHT = 360;
/** Counts are asked for once the visible rows stay put this long (scrolling through thousands asks nothing). */
const COUNT_DELAY_MS = 200;

/** The count cell's tooltip: why the tags could not be counted, or what an artifact count means. */
function countTitle(row: CatalogRow): { title?: string } {
  if (row.artifactCount !== undefined) return { title: ARTIFACT_COUNT_TITLE };
  if (row.tagCountError !== undefined) return { title: `Tags not counted: ${row.tagCountError}` };
  return {};
}

/** One registry's repositories: streamed in, filtered, virtualized, with tag counts filled in for the rows in view. */
export function CatalogView() {
  const catalog = useRegistriesStore((s) => s.catalog)!;
  const filter = useRegistriesStore((s) => s.filter);
  const setFilter = useRegistriesStore((s) => s.setFilter);
  const counting = useRegistriesStore((s) => s.counting);
  const countTags = useRegistriesStore((s) => s.countTags);
  const cancel = useRegistriesStore((s) => s.cancelCatalog);
  const [opened, setOpened] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const deferredFilter = useDeferredValue(filter);
  const rows = useMemo(() => catalog.rows.filter((r) => matchesFilter(r.name, deferredFilter)), [catalog.rows, deferredFilter]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const items = virtual.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (last < 0) return;
    const names = rows.slice(first, last + 1).map((r) => r.name);
    const t = setTimeout(() => countTags(names), COUNT_DELAY_MS);
    return () => clearTimeout(t);
  }, [first, last, rows, countTags]);

  // Browsing a registry leaves the open project's images repo (Publish's target) alone: the
  // repository is listed below in an inventory of its own.
  const open = (row: CatalogRow) => setOpened(row.name);

  const onKey = (e: KeyboardEvent) => {
    if (rows.length === 0) return;
    let next = active;
    if (e.key === 'ArrowDown') next = Math.min(rows.length - 1, active + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, active - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = rows.length - 1;
    else if (e.key === 'Enter') {
      const row = rows[active];
      if (row) open(row);
      return;
    } else return;
    e.preventDefault();
    setActive(next);
    virtual.scrollToIndex(next);
  };

  const counted = catalog.rows.filter((r) => r.tagCount !== undefined || r.artifactCount !== undefined).length;
  return (
    <section className="catalog" aria-label={`Catalog of ${catalog.registry}`}>
      <div className="row spread">
        <h2>
          Catalog of {catalog.registry}
          {catalog.namespace.trim() && <span className="muted"> · {catalog.namespace.trim()}</span>}
        </h2>
        {catalog.running && <button type="button" onClick={cancel}>Cancel</button>}
      </div>
      <div className="progress" role="status" aria-live="polite" data-testid="catalog-status">
        {catalog.running && <progress />}
        <span>
          {catalog.rows.length} repositor{catalog.rows.length === 1 ? 'y' : 'ies'}
          {catalog.running ? ' so far…' : ''}
          {catalog.result && <span className="muted"> · {catalog.result.source} · {(catalog.result.durationMs / 1000).toFixed(1)} s</span>}
          {counting.size > 0 ? ` · counting tags of ${counting.size}` : counted > 0 ? ` · ${counted} counted` : ''}
        </span>
      </div>
      {catalog.error && (
        <div className={`banner ${catalog.error.code === 'cancelled' ? 'warn' : 'error'}`} role="alert" data-testid="catalog-error">
          <strong>{catalog.error.message}</strong> <Hint text={catalog.error.hint} />
        </div>
      )}
      {catalog.result && !catalog.result.complete && <div className="banner warn" role="alert">Partial catalog.</div>}
      {catalog.result && catalog.result.warnings.length > 0 && (
        <ul className="banner warn inv-warnings">
          {catalog.result.warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
      <div className="inv-controls">
        <input type="search" aria-label="Filter repositories" placeholder="Filter repositories…" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <span className="muted" data-testid="catalog-shown">{rows.length} shown</span>
      </div>
      <div className="catalog-table" role="grid" aria-label="Repositories" aria-rowcount={rows.length} tabIndex={0} onKeyDown={onKey} ref={scroller} style={{ height: Math.min(CATALOG_HEIGHT, Math.max(rows.length, 3) * ROW_HEIGHT + 2) }}>
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const row = rows[v.index]!;
            const count = catalogCountLabel(row);
            return (
              <div
                key={row.name}
                role="row"
                aria-rowindex={v.index + 1}
                aria-selected={v.index === active}
                className={`catalog-row${v.index === active ? ' active' : ''}${row.name === opened ? ' opened' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${v.start}px)` }}
                onClick={() => setActive(v.index)}
              >
                <span role="gridcell" className="catalog-name">{row.name}</span>
                <span role="gridcell" className="catalog-count" data-testid="tag-count" {...countTitle(row)}>
                  {count ?? (counting.has(row.name) ? 'counting…' : '—')}
                </span>
                <span role="gridcell">
                  <button type="button" className="ghost" tabIndex={-1} onClick={() => open(row)} aria-label={`Open ${row.name} in the inventory`}>
                    Open
                  </button>
                </span>
              </div>
            );
          })}
        </div>
        {rows.length === 0 && !catalog.running && <p className="empty-state">{catalog.rows.length === 0 ? 'No repositories listed.' : 'No repository matches the filter.'}</p>}
      </div>
      {opened && <RepositoryInventory key={opened} imagesRepo={`${catalog.registry}/${opened}`} implementation={catalog.implementation} onClose={() => setOpened(null)} />}
    </section>
  );
}
