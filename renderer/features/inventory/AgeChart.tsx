import { AGE_CHART_DEFINITION, ageBuckets } from '../../../shared/inventory/summarize';
import type { InventoryTag } from '../../../shared/inventory/types';
import { formatBytes } from './format';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Manifests and their size by age: where the stale weight of a repository sits. Counted as the
 * totals count (distinct manifests, each size once), and the chart says so.
 * `withConfig`, when known: the listing shown asked for image configs (created dates), so an undated manifest
 * has no date to find, and suggesting to list with dates would be wrong.
 */
export function AgeChart({ rows, now, running = false, withConfig }: { rows: InventoryTag[]; now: number; running?: boolean; withConfig?: boolean }) {
  const { buckets, undated, pending, withoutDigest } = ageBuckets(rows, new Date(now));
  const max = Math.max(1, ...buckets.map((b) => b.manifests));
  return (
    <figure className="age-chart" aria-label="Manifests by age">
      {buckets.map((b) => (
        <div key={b.label} className="bar-row" title={`${plural(b.manifests, 'manifest')} (${plural(b.tags, 'tag')}), ${formatBytes(b.bytes)}`}>
          <span className="bar-label">{b.label}</span>
          <span className="bar" style={{ width: `${(b.manifests / max) * 100}%` }} />
          <span className="bar-value">{b.manifests} · {formatBytes(b.bytes)}</span>
        </div>
      ))}
      <figcaption className="muted" data-testid="age-chart-caption">
        <span>{AGE_CHART_DEFINITION}</span>
        {undated.manifests > 0 && (
          <span data-testid="age-chart-undated">
            {' '}
            {plural(undated.manifests, 'manifest')} ({plural(undated.tags, 'tag')}, {formatBytes(undated.bytes)}) {undated.manifests === 1 ? 'has' : 'have'} no date
            {withConfig === undefined ? '.' : withConfig ? ': neither the image config nor the registry records when it was made or pushed.' : ' (list with “Created dates and labels” to read them).'}
          </span>
        )}
        {pending > 0 && (
          <span data-testid="age-chart-pending">
            {' '}
            {plural(pending, 'tag')} not inspected{running ? ' yet' : ' (the listing stopped first)'}: in no bar{running ? ' until their manifest is read' : ''}.
          </span>
        )}
        {withoutDigest > 0 && (
          <span data-testid="age-chart-without-digest">
            {' '}
            {plural(withoutDigest, 'tag')} without a digest (the registry gave none): in no bar.
          </span>
        )}
      </figcaption>
    </figure>
  );
}
