import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { AppError } from '../../../shared/api/result';
import type { DirectoryListing } from '../../../shared/api/types';
import { pathCrumbs, resolveTypedPath, type Account } from '../../../shared/project/user-path';
import { api } from '../../api';

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * The browser host's folder picker: folders served by the host, werf projects marked. A modal
 * dialog: focus stays inside (Tab cycles, Esc closes); in the list, Up/Down move, Enter or Right
 * opens a folder, Backspace or Left goes up; a path can be typed (`~` is the home folder).
 */
export function FolderBrowser({ start, account, onPick, onClose }: { start: string | null; account: Account | null; onPick(path: string): void; onClose(): void }) {
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [loading, setLoading] = useState(false);
  const [typed, setTyped] = useState('');
  const dialogRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  /** After going up, focus returns to the folder we came from. */
  const focusName = useRef<string | null>(null);
  const restoreFocus = useRef<Element | null>(null);

  const load = async (path?: string, from?: string) => {
    setLoading(true);
    const result = await api.call('fs.listDirectory', path ? { path } : {});
    setLoading(false);
    if (result.ok) {
      focusName.current = from ?? null;
      setListing(result.value);
      setTyped(result.value.path);
      setError(null);
    } else {
      setError(result.error);
    }
  };

  useEffect(() => {
    restoreFocus.current = document.activeElement;
    void load(start ?? undefined);
    dialogRef.current?.focus();
    return () => {
      if (restoreFocus.current instanceof HTMLElement) restoreFocus.current.focus();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A new listing puts focus on its first folder (or the one we came up from), ready for the arrows.
  useEffect(() => {
    if (!listing || !listRef.current) return;
    const buttons = entryButtons();
    const target = buttons.find((b) => b.dataset.name === focusName.current) ?? buttons[0];
    if (target && !(document.activeElement instanceof HTMLInputElement)) target.focus();
  }, [listing]);

  const entryButtons = (): HTMLButtonElement[] => [...(listRef.current?.querySelectorAll<HTMLButtonElement>('button[data-name]') ?? [])];
  const goUp = () => {
    if (listing?.parent && !loading) void load(listing.parent, listing.path.split('/').filter(Boolean).pop());
  };
  const goTo = (typedPath: string) => {
    if (!account) {
      if (typedPath.trim()) void load(typedPath.trim());
      return;
    }
    const r = resolveTypedPath(typedPath, account);
    if (r.ok) void load(r.path);
    else setError(r.error);
  };

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const buttons = entryButtons();
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => {
      e.preventDefault();
      buttons[Math.max(0, Math.min(buttons.length - 1, to))]?.focus();
    };
    if (e.key === 'ArrowDown') move(index + 1);
    else if (e.key === 'ArrowUp') move(index - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(buttons.length - 1);
    else if (e.key === 'ArrowRight' && index >= 0) {
      e.preventDefault();
      buttons[index]!.click();
    } else if (e.key === 'Backspace' || e.key === 'ArrowLeft') {
      e.preventDefault();
      goUp();
    }
  };

  const onDialogKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !dialogRef.current) return;
    const focusable = [...dialogRef.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (focusable.length === 0) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    const at = document.activeElement;
    if (e.shiftKey && (at === first || at === dialogRef.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && at === last) {
      e.preventDefault();
      first.focus();
    }
  };

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
        onKeyDown={onDialogKey}
      >
        <header>
          <h2>Choose a project folder</h2>
          <button type="button" className="ghost" onClick={onClose} aria-label="Close">✕</button>
        </header>
        <form
          className="go-to-folder"
          onSubmit={(e) => {
            e.preventDefault();
            goTo(typed);
          }}
        >
          <label htmlFor="folder-browser-path">Folder</label>
          <input id="folder-browser-path" type="text" value={typed} spellCheck={false} onChange={(e) => setTyped(e.target.value)} placeholder="~/src" />
          <button type="submit" disabled={loading || !typed.trim()}>Go</button>
        </form>
        <nav className="crumbs" aria-label="Folder path">
          <button type="button" disabled={!listing?.parent || loading} onClick={goUp} aria-label="Up one folder" title="Up one folder (Backspace)">
            ↑
          </button>
          <ol className="breadcrumbs">
            {listing &&
              pathCrumbs(listing.path).map((crumb, i, all) => (
                <li key={crumb.path}>
                  {i === all.length - 1 ? (
                    <span aria-current="location" className="current-path">{crumb.name}</span>
                  ) : (
                    <button type="button" className="crumb" disabled={loading} onClick={() => void load(crumb.path, all[i + 1]?.name)}>
                      {crumb.name}
                    </button>
                  )}
                </li>
              ))}
          </ol>
        </nav>
        {error && (
          <div className="banner error" role="alert">
            {error.message} {error.hint}
          </div>
        )}
        <ul className="folder-list" aria-busy={loading} aria-label="Folders" ref={listRef} onKeyDown={onListKey}>
          {listing?.entries.length === 0 && <li className="empty">No folders here.</li>}
          {listing?.entries.map((entry) => (
            <li key={entry.name}>
              <button type="button" data-name={entry.name} className={entry.hasWerfConfig ? 'werf' : ''} onClick={() => void load(`${listing.path.replace(/\/$/, '')}/${entry.name}`)}>
                <FolderIcon /> {entry.name}
                {entry.hasWerfConfig && <span className="badge">werf project</span>}
              </button>
            </li>
          ))}
          {listing?.truncated && <li className="empty">Only the first 2,000 folders are shown.</li>}
        </ul>
        <footer>
          <span className="muted keys">↑↓ move · Enter open · Backspace up · Esc close</span>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="button" className="primary" disabled={!listing} onClick={() => listing && onPick(listing.path)}>
            Open this folder
          </button>
        </footer>
      </div>
    </div>
  );
}

function FolderIcon() {
  return (
    <svg aria-hidden="true" width="14" height="14" viewBox="0 0 16 16" className="folder-icon">
      <path d="M1.5 3.5h4.2l1.5 1.6h7.3v7.4h-13z" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
    </svg>
  );
}
