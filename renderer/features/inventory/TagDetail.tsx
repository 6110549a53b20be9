import type { InventoryTag } from '../../../shared/inventory/types';
import { sharedDigestFacts, uninspectedIn, type SharedDigestFacts } from '../../../shared/inventory/summarize';
import { CopyButton } from '../../components/CopyButton';
import { formatBytes } from './format';
import { ManifestView } from './ManifestView';
import { ImageConfigView } from './ImageConfigView';
import { copyChoices } from './copy-choices';
import { useScopedInventoryStore } from '../../stores/inventory-scope';

/** Sibling names listed in the panel; a digest with thousands of tags shows a count for the rest. */
const SIBLINGS_LISTED = 200;

/** The selected tag: its manifest, platforms, every sibling on the same digest, and its signatures. */
export function TagDetail({ row, digestGroup, all, listingComplete }: { row: InventoryTag; digestGroup: readonly InventoryTag[] | undefined; all: InventoryTag[]; listingComplete: boolean }) {
  const shared = sharedDigestFacts(digestGroup, row, { listingComplete, uninspected: row.pending ? 0 : uninspectedIn(all, row.repository) }, SIBLINGS_LISTED);
  const signatures = row.digest ? all.filter((t) => t.signatureOf === row.digest && t.repository === row.repository) : [];
  const imagesRepo = useScopedInventoryStore()((s) => s.request?.imagesRepo ?? '');
  return (
    <aside className="card tag-detail" aria-label="Tag details" tabIndex={-1}>
      <h3><code>{row.tag}</code></h3>
      <dl>
        <dt>Repository</dt>
        <dd><code>{row.repository}</code></dd>
        <dt>Digest</dt>
        <dd><code>{row.digest ?? (row.pending ? 'pending: not inspected yet' : 'unknown')}</code></dd>
        <dt>Media type</dt>
        <dd><code>{row.mediaType ?? '—'}</code></dd>
        <dt>Size</dt>
        <dd>{formatBytes(row.size)}</dd>
        {row.created && (<><dt>Created</dt><dd>{new Date(row.created).toLocaleString()}</dd></>)}
        {row.pushed && (<><dt>Pushed</dt><dd>{new Date(row.pushed).toLocaleString()}</dd></>)}
        {row.pulled && (<><dt>Last pulled</dt><dd>{new Date(row.pulled).toLocaleString()}</dd></>)}
        {row.image !== undefined && (<><dt>werf image</dt><dd>{row.image ?? 'nameless'} <span className="muted">(by {row.imageBy})</span></dd></>)}
        {row.service && (<><dt>werf service tag</dt><dd>{row.service} — werf's own bookkeeping; cleanup keeps it</dd></>)}
        {row.signatureOf && (<><dt>Describes</dt><dd><code>{row.signatureOf}</code></dd></>)}
        {row.error && (<><dt>Problem</dt><dd className="warn-text">{row.error}</dd></>)}
      </dl>
      <div className="copy-row" role="group" aria-label="Copy">
        <span className="muted">Copy</span>
        {copyChoices(row, imagesRepo).map((c) => <CopyButton key={c.caption} text={c.text} caption={c.caption} label={`Copy ${c.caption.toLowerCase()}`} />)}
      </div>
      <SharedDigest facts={shared} />
      {row.platforms && row.platforms.length > 0 && (
        <>
          <h4>Platforms</h4>
          <ul className="platforms">
            {row.platforms.map((p) => (
              <li key={p.digest}>
                <strong>{[p.os, p.architecture, p.variant].filter(Boolean).join('/') || 'unknown'}</strong> <code>{p.digest.slice(0, 19)}</code> {p.size !== undefined && <span className="muted">{formatBytes(p.size)}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {signatures.length > 0 && (
        <>
          <h4>Signatures and attestations</h4>
          <ul>{signatures.map((s) => <li key={s.tag}><code>{s.tag}</code></li>)}</ul>
        </>
      )}
      {row.labels && Object.keys(row.labels).length > 0 && (
        <>
          <h4>Labels</h4>
          <ul className="labels">{Object.entries(row.labels).map(([k, v]) => <li key={k}><code>{k}={v}</code></li>)}</ul>
        </>
      )}
      <ImageConfigView row={row} />
      <ManifestView row={row} />
    </aside>
  );
}

/**
 * The tags a digest delete would take along. Cleanup builds on this: it states what a delete
 * removes only from complete facts, and says what is missing otherwise.
 */
function SharedDigest({ facts }: { facts: SharedDigestFacts }) {
  if (facts.state === 'pending') {
    return (
      <section aria-label="Tags on the same digest" data-testid="shared-digest" data-state="pending">
        <h4>Tags on the same digest</h4>
        <p className="muted">Pending: this tag is not inspected yet, so its digest and the tags that share it are not known.</p>
      </section>
    );
  }
  if (facts.state === 'unknown') {
    return (
      <section aria-label="Tags on the same digest" data-testid="shared-digest" data-state="unknown">
        <h4>Tags on the same digest</h4>
        <p className="muted">Unknown: the registry gave no digest for this tag, so which tags share its manifest cannot be told.</p>
      </section>
    );
  }
  const list = facts.others > 0 && (
    <>
      <ul className="siblings">{facts.names.map((t) => <li key={t}><code>{t}</code></li>)}</ul>
      {facts.others > facts.names.length && <p className="muted">and {facts.others - facts.names.length} more (group the table by digest to see them all)</p>}
    </>
  );
  if (facts.state === 'incomplete') {
    const missing = [
      facts.uninspected > 0 ? `${facts.uninspected} other tag${facts.uninspected === 1 ? '' : 's'} of this repository ${facts.uninspected === 1 ? 'is' : 'are'} not inspected yet` : null,
      facts.listingComplete ? null : 'the listing has not read every tag',
    ].filter((m): m is string => m !== null);
    return (
      <section aria-label="Tags on the same digest" data-testid="shared-digest" data-state="incomplete">
        <h4>Tags on the same digest: {facts.others} so far</h4>
        <p className="muted">Not final: {missing.join(', and ')}, so more tags may share this manifest. What deleting it removes is not stated until every tag is inspected.</p>
        {facts.others > 0 && <p className="warn-text">Deleting by digest removes at least these too.</p>}
        {list}
      </section>
    );
  }
  return (
    <section aria-label="Tags on the same digest" data-testid="shared-digest" data-state="complete">
      <h4>Tags on the same digest ({facts.others})</h4>
      {facts.others === 0 ? (
        <p className="muted">None: deleting this manifest removes only this tag.</p>
      ) : (
        <>
          <p className="warn-text">Deleting by digest removes all of these too.</p>
          {list}
        </>
      )}
    </section>
  );
}
