import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { totals } from '../../../shared/inventory/summarize';
import type { Implementation } from '../../../shared/registry/implementations';
import { InventoryScope, useCatalogInventoryStore } from '../../stores/inventory-scope';
import { deriveItems } from '../inventory/derive';
import { formatBytes } from '../inventory/format';
import { InventoryTable } from '../inventory/InventoryTable';
import { TagDetail } from '../inventory/TagDetail';
import { Hint } from '../../components/Hint';

/**
 * The inventory of one repository opened from a catalog: the same table and detail as a project's
 * Inventory tab, over a store of its own so the project's listing stays as it was.
 */
export function RepositoryInventory({ imagesRepo, implementation, onClose }: { imagesRepo: string; implementation: Implementation; onClose(): void }) {
  const inv = useCatalogInventoryStore();
  const [now] = useState(() => Date.now());
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    // A block body: newer Chromium returns a promise from scrollIntoView, which React would take
    // for the effect's cleanup and call on unmount (closing the inventory blanked the window).
    section.current?.scrollIntoView({ block: 'start' });
  }, []);
  useEffect(() => {
    // No werf images: the repository is listed as typed.
    void useCatalogInventoryStore.getState().start({ imagesRepo, implementation, mode: 'auto', images: [], withConfig: false });
    return () => useCatalogInventoryStore.getState().cancel();
  }, [imagesRepo, implementation]);
  const rows = useDeferredValue(inv.rows);
  const derived = useMemo(() => deriveItems(rows.values(), inv.filter, inv.sort, inv.groupBy), [rows, inv.filter, inv.sort, inv.groupBy]);
  const all = useMemo(() => [...rows.values()], [rows]);
  const sums = useMemo(() => totals(all), [all]);
  const selectedRow = inv.selected ? rows.get(inv.selected) : undefined;
  return (
    <section ref={section} className="repository-inventory" aria-label={`Inventory of ${imagesRepo}`}>
      <div className="row spread">
        <h2>
          Inventory of <code>{imagesRepo}</code>
        </h2>
        <div className="row">
          {inv.running && <button type="button" onClick={inv.cancel}>Cancel</button>}
          <button type="button" onClick={onClose}>Close</button>
        </div>
      </div>
      {inv.error && (
        <div className={`banner ${inv.error.code === 'cancelled' ? 'warn' : 'error'}`} role="alert">
          <strong>{inv.error.message}</strong> <Hint text={inv.error.hint} />
        </div>
      )}
      <div className="totals" data-testid="inventory-totals">
        <span><strong>{sums.tags}</strong> tags</span>
        <span><strong>{sums.manifests}</strong> distinct manifests</span>
        <span><strong>{formatBytes(sums.bytes)}</strong></span>
        {inv.running && <span className="muted">listing…</span>}
      </div>
      {all.length > 0 && (
        <InventoryScope.Provider value={useCatalogInventoryStore}>
        <div className="inv-layout">
          <InventoryTable items={derived.items} now={now} />
          {selectedRow ? <TagDetail row={selectedRow} digestGroup={selectedRow.digest ? derived.groups.get(`${selectedRow.repository}@${selectedRow.digest}`) : undefined} all={all} listingComplete={!inv.running && inv.stats?.complete === true} /> : <aside className="card tag-detail muted">Select a tag to see its manifest and platforms.</aside>}
        </div>
        </InventoryScope.Provider>
      )}
    </section>
  );
}
