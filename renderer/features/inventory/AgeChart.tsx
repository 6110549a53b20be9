import { ageBuckets } from '../../../shared/inventory/summarize';
import type { InventoryTag } from '../../../shared/inventory/types';
import { formatBytes } from './format';

/** Tag count and size by age: where the stale weight of a repository sits. */
export function AgeChart({ rows, now }: { rows: InventoryTag[]; now: number }) {
  const { buckets, undated } = ageBuckets(rows, new Date(now));
  const max = Math.max(1, ...buckets.map((b) => b.tags));
  return (
    <figure className="age-chart" aria-label="Tags by age">
      {buckets.map((b) => (
        <div key={b.label} className="bar-row" title={`${b.tags} tags, ${formatBytes(b.bytes)}`}>
          <span className="bar-label">{b.label}</span>
          <span className="bar" style={{ width: `${(b.tags / max) * 100}%` }} />
          <span className="bar-value">{b.tags} · {formatBytes(b.bytes)}</span>
        </div>
      ))}
      {undated > 0 && <figcaption className="muted">{undated} tag{undated === 1 ? '' : 's'} without a date (list with created dates to see them).</figcaption>}
    </figure>
  );
}
