import type { Implementation } from '../../../shared/registry/implementations';
import { credentialGuide, implementationInfo } from '../../../shared/registry/implementation-registry';

/** What each operation needs for this implementation, where to create it, and the traps. */
export function CredentialGuideCard({ implementation }: { implementation: Implementation }) {
  const guide = credentialGuide(implementation);
  return (
    <section className="card guide" aria-label="What you need">
      <h3>What {implementationInfo(implementation).title} needs</h3>
      <dl>
        <dt>Read (list tags)</dt>
        <dd>{guide.read}</dd>
        <dt>Push (publish)</dt>
        <dd>{guide.push}</dd>
        <dt>Delete (cleanup)</dt>
        <dd>{guide.delete}</dd>
        <dt>Scopes and roles</dt>
        <dd>{guide.scopes.map((s) => <code key={s} className="scope">{s}</code>)}</dd>
        <dt>Found automatically</dt>
        <dd>
          <ul>{guide.ambient.map((a) => <li key={a}>{a}</li>)}</ul>
        </dd>
      </dl>
      {guide.pitfalls.length > 0 && <ul className="notes">{guide.pitfalls.map((p) => <li key={p}>{p}</li>)}</ul>}
      <p className="docs">
        {[guide.createAt, ...guide.docs].map((d) => (
          <a key={d.url} href={d.url} target="_blank" rel="noreferrer noopener">{d.label} ↗</a>
        ))}
      </p>
    </section>
  );
}
