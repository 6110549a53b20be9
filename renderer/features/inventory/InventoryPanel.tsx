import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { ProjectView } from '../../../shared/api/types';
import { totals } from '../../../shared/inventory/summarize';
import { usePreviewStore } from '../../stores/preview-store';
import { useInventoryStore, type GroupBy } from '../../stores/inventory-store';
import { AgeChart } from './AgeChart';
import { deriveItems } from './derive';
import { describeRateLimit } from '../../../shared/inventory/rate-limit';
import { formatBytes } from './format';
import { InventoryTable } from './InventoryTable';
import { TagDetail } from './TagDetail';
import { Hint } from '../../components/Hint';
import { NoMatches } from '../../components/NoMatches';
import { useRevealOnSelect } from '../../components/reveal';

/** Every tag of the images repo (or any repository typed here), streamed in while listing continues. */
const localTime = (iso: string): string => new Date(iso).toLocaleTimeString();

export function InventoryPanel({ view }: { view: ProjectView }) {
  const preview = usePreviewStore();
  const inv = useInventoryStore();
  const [withConfig, setWithConfig] = useState(true);
  const [scope, setScope] = useState<'project' | 'repository'>('project');
  const [now] = useState(() => Date.now());
  const rows = useDeferredValue(inv.rows);
  const filter = useDeferredValue(inv.filter);
  const derived = useMemo(() => deriveItems(rows.values(), filter, inv.sort, inv.groupBy), [rows, filter, inv.sort, inv.groupBy]);
  const all = useMemo(() => [...rows.values()], [rows]);
  const sums = useMemo(() => totals(all), [all]);
  const selectedRow = inv.selected ? rows.get(inv.selected) : undefined;
  const layout = useRef<HTMLDivElement>(null);
  useRevealOnSelect(layout, inv.selected);

  const start = () =>
    void inv.start({
      imagesRepo: preview.imagesRepo.trim(),
      implementation: preview.implementation,
      mode: preview.mode,
      // A plain repository is listed as typed; the project's images decide the repositories otherwise.
      images: scope === 'repository' ? [] : view.images.filter((i) => i.final && i.kind !== 'artifact').map((i) => i.name),
      withConfig,
    });

  const p = inv.progress;
  return (
    <div className="inventory">
      <form
        className="preview-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!inv.running && preview.imagesRepo.trim()) start();
        }}
      >
        <div className="field grow">
          <label htmlFor="inventory-repo">Images repo or repository</label>
          <input id="inventory-repo" type="text" value={preview.imagesRepo} spellCheck={false} placeholder="registry.example.com/team/app" onChange={(e) => preview.update({ imagesRepo: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="inventory-scope">List</label>
          <select id="inventory-scope" value={scope} onChange={(e) => setScope(e.target.value as 'project' | 'repository')}>
            <option value="project">the project's images ({preview.mode === 'auto' ? 'auto mode' : preview.mode})</option>
            <option value="repository">this repository only</option>
          </select>
        </div>
        <label className="check">
          <input type="checkbox" checked={withConfig} onChange={(e) => setWithConfig(e.target.checked)} />
          Created dates and labels (one request per distinct image)
        </label>
        {inv.running ? (
          <button type="button" onClick={inv.cancel}>Cancel</button>
        ) : (
          <button type="submit" className="primary" disabled={!preview.imagesRepo.trim()}>List tags</button>
        )}
      </form>

      {inv.running && (
        <div className="progress" role="status" aria-live="polite">
          <progress max={p?.total ?? undefined} value={p?.total ? p.inspected : undefined} />
          <span>{p ? `${p.phase}: ${p.listed} tags listed, ${p.inspected} inspected${p.total ? ` of ${p.total}` : ''}` : 'Connecting…'}</span>
          {p?.rateLimit && <span className="muted">{describeRateLimit(p.rateLimit, localTime)}</span>}
        </div>
      )}
      {inv.error && <div className={`banner ${inv.error.code === 'cancelled' ? 'warn' : 'error'}`} role="alert"><strong>{inv.error.message}</strong> <Hint text={inv.error.hint} /></div>}
      {inv.stats && !inv.stats.complete && (
        <div className="banner warn" role="alert" data-testid="inventory-partial">
          <strong>Partial listing:</strong> {inv.stats.truncated?.map((t) => t.message).join(' ') ?? 'the registry was not read to its last page.'} Cleanup never plans from a partial listing.
        </div>
      )}
      {inv.stats && inv.stats.warnings.length > 0 && (
        <ul className="banner warn inv-warnings">{inv.stats.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
      )}

      {all.length === 0 && !inv.running ? (
        <p className="empty-state">{inv.stats ? 'This repository has no tags.' : 'List the tags of the images repo to see digests, sizes, dates and which werf image each belongs to.'}</p>
      ) : (
        <>
          <div className="inv-summary">
            <div className="totals" data-testid="inventory-totals">
              <span><strong>{sums.tags}</strong> tags</span>
              <span><strong>{sums.manifests}</strong> distinct manifests</span>
              <span title="Each distinct manifest's size counted once, however many tags point at it"><strong>{formatBytes(sums.bytes)}</strong> in those manifests</span>
              {inv.stats?.rateLimit && <span className="muted">{describeRateLimit(inv.stats.rateLimit, localTime)}</span>}
              {inv.stats && <span className="muted">{inv.stats.requests} requests in {(inv.stats.durationMs / 1000).toFixed(1)} s</span>}
            </div>
            <AgeChart rows={all} now={now} running={inv.running} withConfig={inv.request?.withConfig ?? false} />
          </div>
          <div className="inv-controls">
            <input type="search" aria-label="Filter tags" placeholder="Filter by tag, image, digest…" value={inv.filter} onChange={(e) => inv.setFilter(e.target.value)} />
            <label>
              Group by{' '}
              <select aria-label="Group by" value={inv.groupBy} onChange={(e) => inv.setGroupBy(e.target.value as GroupBy)}>
                <option value="none">nothing</option>
                <option value="image">werf image</option>
                <option value="digest">digest</option>
              </select>
            </label>
            <span className="muted" data-testid="visible-count">{derived.visible.length} shown</span>
          </div>
          <div className="inv-layout" ref={layout}>
            {derived.items.length === 0 && inv.filter.trim() !== '' ? <NoMatches what="tag" filter={inv.filter} onClear={() => inv.setFilter('')} /> : <InventoryTable items={derived.items} now={now} />}
            {selectedRow ? <TagDetail row={selectedRow} digestGroup={selectedRow.digest ? derived.groups.get(`${selectedRow.repository}@${selectedRow.digest}`) : undefined} all={all} listingComplete={!inv.running && inv.stats?.complete === true} /> : <aside className="card tag-detail muted">Select a tag to see its manifest, platforms and every tag on the same digest.</aside>}
          </div>
        </>
      )}
    </div>
  );
}
