import { useId, useLayoutEffect, useRef, useState } from 'react';
import { shortDigest } from '../../inventory/format';
import type { ConfirmationSummary, UsedMethod } from './confirmation';

const SHOWN_SHARED = 12;

const UNDO_TEXT: Record<UsedMethod['undo'], string> = {
  reput: 'Restore puts the tag back from the manifest recorded in the audit log, while the registry still holds its layers.',
  native: "Restore uses the registry's own restore, within the time the registry keeps deleted tags.",
  none: 'Cannot be undone: the registry offers no way to put the tag back.',
};

function Method({ label, method }: { label: string; method: UsedMethod }) {
  return (
    <li data-undo={method.undo}>
      <strong>{label}</strong> ({method.tags} tag{method.tags === 1 ? '' : 's'}): <code>{method.call}</code> — {method.effect}.{' '}
      <span className={method.undo === 'none' ? 'undo-none' : 'muted'}>{UNDO_TEXT[method.undo]}</span>
    </li>
  );
}

/**
 * "Delete N tags?" — everything the run will do, said before it does it. A modal <dialog>: focus
 * starts on Cancel (the safe choice), stays inside, Escape cancels, and goes back to the button
 * that opened it.
 */
export function ConfirmDialog({ summary, imagesRepo, planId, onConfirm, onClose }: { summary: ConfirmationSummary; imagesRepo: string; planId: string; onConfirm: () => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // Taken while rendering the first time, before Cancel takes the focus: the button that opened it.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      // After React has finished removing the dialog, or the focus would land on <body>.
      requestAnimationFrame(() => opener?.isConnected && opener.focus());
    };
  }, [opener]);

  const s = summary;
  const more = s.sharedDigests.length - SHOWN_SHARED;
  return (
    <dialog
      ref={ref}
      className="modal confirm-delete"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header>
        <h2 id={titleId}>Delete {s.tags} tag{s.tags === 1 ? '' : 's'} from {imagesRepo}?</h2>
      </header>
      <div className="confirm-body">
        <ul className="confirm-counts" data-testid="confirm-counts">
          <li><strong data-testid="confirm-deleted">{s.withDigest}</strong> tag{s.withDigest === 1 ? '' : 's'} deleted with {s.withDigest === 1 ? 'its' : 'their'} manifest (<strong data-testid="confirm-manifests">{s.manifestsFreed}</strong> manifest{s.manifestsFreed === 1 ? '' : 's'} freed)</li>
          <li><strong data-testid="confirm-untagged">{s.untagged}</strong> tag{s.untagged === 1 ? '' : 's'} untagged: the manifest stays for the tags that share it</li>
          {s.repositories.length > 1 && <li>in {s.repositories.length} repositories</li>}
        </ul>

        {s.irreversible && (
          <div className="banner error" role="alert" data-testid="confirm-irreversible">
            <span><strong>This cannot be undone.</strong> {s.implementation ? `${s.registryTitle} has no way to put a deleted tag back through its API; push the image again to bring a tag back.` : 'Stowage does not know how this registry deletes, so it cannot promise a restore.'}</span>
          </div>
        )}

        <h3>How {s.registryTitle} deletes</h3>
        <ul className="confirm-methods">
          {s.digestMethod && <Method label="By digest" method={s.digestMethod} />}
          {s.untagMethod && <Method label="Tag only" method={s.untagMethod} />}
        </ul>
        {s.cannotUntag > 0 && (
          <p className="banner warn" data-testid="confirm-cannot-untag">
            <span><strong>{s.cannotUntag} tag{s.cannotUntag === 1 ? '' : 's'} will be skipped:</strong> {s.registryTitle} cannot remove a tag while other tags stay on its digest. The results say which.</span>
          </p>
        )}

        {s.sharedDigests.length > 0 && (
          <>
            <h3>Digests that keep some of their tags</h3>
            <p className="muted small">The manifest stays; only the planned tags go.</p>
            <ul className="confirm-shared" data-testid="confirm-shared">
              {s.sharedDigests.slice(0, SHOWN_SHARED).map((g) => (
                <li key={`${g.repository}@${g.digest}`}>
                  <code title={g.digest}>{shortDigest(g.digest)}</code>: <span className="going">{g.going.join(', ')}</span> {g.going.length === 1 ? 'goes' : 'go'}; <span className="staying">{g.staying.join(', ')}</span> {g.staying.length === 1 ? 'stays' : 'stay'}{s.repositories.length > 1 ? <span className="muted"> ({g.repository})</span> : null}
                </li>
              ))}
              {more > 0 && <li className="muted">and {more} more digest{more === 1 ? '' : 's'}</li>}
            </ul>
          </>
        )}

        {s.storageNote && <p className="muted small" data-testid="confirm-storage">{s.storageNote}</p>}
        <p className="muted small">
          Only this plan runs (<code title={planId}>{planId.replace(/^sha256:/, '').slice(0, 16)}</code>). Each tag is resolved again just before its delete: a tag that moved, or a digest another tag now points at, is skipped and the results say why. Every delete is written to the audit log.
        </p>
      </div>
      <footer>
        <button type="button" autoFocus onClick={onClose}>Cancel</button>
        <button type="button" className="danger" onClick={onConfirm}>
          Delete {s.tags} tag{s.tags === 1 ? '' : 's'}
        </button>
      </footer>
    </dialog>
  );
}
