import type { PlannedTag } from '../../../shared/cleanup/types';
import { ActionChip } from './PlanTable';

/** "Why is this kept?" — every rule that applied to one tag, the deciding one first, and the override. */
export function WhyPanel({ tag, overridden, onToggle }: { tag: PlannedTag; overridden: boolean; onToggle: () => void }) {
  const verb = tag.action === 'delete' ? 'deleted' : 'kept';
  return (
    <aside className="card tag-detail why-panel" aria-label={`Why ${tag.tag} is ${verb}`}>
      <h3>
        <code>{tag.tag}</code> <ActionChip tag={tag} />
      </h3>
      <dl>
        <dt>Repository</dt>
        <dd><code>{tag.repository}</code></dd>
        <dt>Digest</dt>
        <dd><code>{tag.digest ?? '—'}</code></dd>
        {tag.image !== undefined && (
          <>
            <dt>werf image</dt>
            <dd>{tag.image === null ? <em>nameless</em> : tag.image}</dd>
          </>
        )}
        {tag.method && (
          <>
            <dt>Delete method</dt>
            <dd>{tag.method === 'tag' ? 'the tag alone (its manifest stays for the tags that share it)' : 'the manifest by digest (every tag on it goes)'}</dd>
          </>
        )}
      </dl>
      <h4>Why is this {verb}?</h4>
      <ol className="why-reasons" data-testid="why-reasons">
        {tag.reasons.map((r, i) => (
          <li key={`${r.rule}-${i}`} data-rule={r.rule}>
            <code className="rule">{r.rule}</code> {r.text}
            {i === 0 && tag.reasons.length > 1 && <span className="muted"> (deciding)</span>}
          </li>
        ))}
      </ol>
      <button type="button" aria-pressed={overridden} onClick={onToggle}>
        {overridden ? 'Let the policy decide' : 'Keep this'}
      </button>
      <p className="muted small">A tag you keep is recorded in the plan (its id changes) and kept with the rule “override”.</p>
    </aside>
  );
}
