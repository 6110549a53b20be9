import { useEffect, useRef, useState } from 'react';
import type { AppError } from '../../../shared/api/result';
import type { DirectoryListing } from '../../../shared/api/types';
import { api } from '../../api';

/** The browser host's folder picker: folders served by the host, werf projects marked. */
export function FolderBrowser({ start, onPick, onClose }: { start: string | null; onPick(path: string): void; onClose(): void }) {
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [loading, setLoading] = useState(false);
  const dialogRef = useRef<HTMLDivElement>(null);

  const load = async (path?: string) => {
    setLoading(true);
    const result = await api.call('fs.listDirectory', path ? { path } : {});
    setLoading(false);
    if (result.ok) {
      setListing(result.value);
      setError(null);
    } else {
      setError(result.error);
    }
  };

  useEffect(() => {
    void load(start ?? undefined);
    dialogRef.current?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal folder-browser"
        role="dialog"
        aria-modal="true"
        aria-label="Choose a project folder"
        tabIndex={-1}
        ref={dialogRef}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
        }}
      >
        <header>
          <h2>Choose a project folder</h2>
          <button type="button" className="ghost" onClick={onClose} aria-label="Close">✕</button>
        </header>
        <div className="crumbs">
          <button type="button" disabled={!listing?.parent || loading} onClick={() => listing?.parent && void load(listing.parent)}>
            ↑ Up
          </button>
          <code className="current-path">{listing?.path ?? '…'}</code>
        </div>
        {error && (
          <div className="banner error" role="alert">
            {error.message} {error.hint}
          </div>
        )}
        <ul className="folder-list" aria-busy={loading}>
          {listing?.entries.length === 0 && <li className="empty">No folders here.</li>}
          {listing?.entries.map((entry) => (
            <li key={entry.name}>
              <button type="button" className={entry.hasWerfConfig ? 'werf' : ''} onClick={() => void load(`${listing.path.replace(/\/$/, '')}/${entry.name}`)}>
                <span aria-hidden="true">📁</span> {entry.name}
                {entry.hasWerfConfig && <span className="badge">werf project</span>}
              </button>
            </li>
          ))}
          {listing?.truncated && <li className="empty">Only the first 2,000 folders are shown.</li>}
        </ul>
        <footer>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="button" className="primary" disabled={!listing} onClick={() => listing && onPick(listing.path)}>
            Open this folder
          </button>
        </footer>
      </div>
    </div>
  );
}
