import { implementationInfo } from '../../../shared/registry/implementation-registry';
import type { Implementation } from '../../../shared/registry/implementations';

function YesNo({ value }: { value: boolean }) {
  return <strong className={value ? 'yes' : 'no'}>{value ? 'Yes' : 'No'}</strong>;
}

/** What the detected registry implementation means for naming, pushing and cleaning up. */
export function ImplementationCard({ implementation }: { implementation: Implementation }) {
  const info = implementationInfo(implementation);
  return (
    <aside className="card implementation-card" aria-label={`About ${info.title}`}>
      <h3>{info.title}</h3>
      <dl>
        <dt>Nests repositories</dt>
        <dd><YesNo value={info.nestsRepositories} />{info.maxRepositoryDepth !== null && <span className="muted"> (up to {info.maxRepositoryDepth} path components)</span>}</dd>
        <dt>Creates repositories on push</dt>
        <dd><YesNo value={info.createsRepositoriesOnPush} />{!info.createsRepositoriesOnPush && <span className="muted"> — create one repository per image before publishing</span>}</dd>
        <dt>Tag deletion</dt>
        <dd>
          {info.tagDeletion.api}
          {info.tagDeletion.deletesSharedDigestTags && <div className="warn-text">Deletes by digest: every tag on the same digest goes with it.</div>}
        </dd>
        <dt>Cleanup needs</dt>
        <dd>{info.cleanupCredentials}</dd>
      </dl>
      {info.notes.length > 0 && (
        <ul className="notes">
          {info.notes.map((n) => <li key={n}>{n}</li>)}
        </ul>
      )}
      {info.docs.length > 0 && (
        <p className="docs">
          {info.docs.map((d) => (
            <a key={d.url} href={d.url} target="_blank" rel="noreferrer noopener">{d.label} ↗</a>
          ))}
        </p>
      )}
    </aside>
  );
}
