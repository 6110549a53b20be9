import { useState } from 'react';
import type { AppError } from '../../../shared/api/result';
import { isRewrittenPath, resolveTypedPath, type Account } from '../../../shared/project/user-path';
import { useProjectStore } from '../../stores/project-store';
import { FolderBrowser } from './FolderBrowser';
import { api } from '../../api';

/** The start screen and the "Open" bar: a path field, a folder picker and the recent projects. */
export function OpenProject() {
  const { info, opening, openError, recent, open, cancelOpen, forget, dismissError } = useProjectStore();
  const [path, setPath] = useState('');
  const [browsing, setBrowsing] = useState(false);
  const home = info?.homeDir ?? null;
  const account: Account | null = info ? { homeDir: info.homeDir, userName: info.userName } : null;
  // `~/x` and relative paths mean the home folder, as in a shell; say where that is before opening,
  // or why it will not open (another account's `~name`).
  const typed = account && path.trim() ? resolveTypedPath(path, account) : null;
  const resolved = typed?.ok ? typed.path : null;
  const refused = typed && !typed.ok ? typed.error : null;

  const openPath = (text: string) => {
    setPath(text);
    if (!account) {
      void open(text);
      return;
    }
    const r = resolveTypedPath(text, account);
    if (r.ok) void open(r.path);
  };

  const pick = async () => {
    if (info?.canPickFolderNatively) {
      const result = await api.call('dialog.pickFolder', {});
      if (result.ok && result.value.path) openPath(result.value.path);
    } else {
      setBrowsing(true);
    }
  };

  // The browser starts where the user is: the typed folder, else the last project's parent, else home.
  const browseStart = resolved ?? (recent[0] ? parentOf(recent[0].path) : home);

  return (
    <div className="open-project">
      <div className="hero">
        <h1>Open a werf project</h1>
        <p>Stowage reads <code>werf.yaml</code>, shows the images it defines and previews their final names in any registry — before anything is pushed.</p>
      </div>
      <form
        className="open-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) openPath(path);
        }}
      >
        <label htmlFor="project-path">Project folder</label>
        <div className="row">
          <input
            id="project-path"
            type="text"
            placeholder="~/src/my-service"
            value={path}
            spellCheck={false}
            autoFocus
            aria-describedby="project-path-resolved"
            aria-invalid={refused ? true : undefined}
            onChange={(e) => setPath(e.target.value)}
          />
          <button type="button" onClick={() => void pick()}>
            {info?.canPickFolderNatively ? 'Choose…' : 'Browse…'}
          </button>
          {opening ? (
            <button type="button" onClick={cancelOpen}>Cancel</button>
          ) : (
            <button type="submit" className="primary" disabled={!path.trim() || refused !== null}>Open</button>
          )}
        </div>
        <div id="project-path-resolved" className="muted resolved-path" data-testid="resolved-path">
          {refused ? (
            <span className="error-text" data-code={refused.code}>{refused.message} {refused.hint}</span>
          ) : resolved && isRewrittenPath(path) ? (
            <>Opens <code>{resolved}</code>{path.trim().startsWith('~') ? '' : ' (relative paths start at your home folder)'}</>
          ) : (
            <>A path starting with <code>~</code> or without a leading <code>/</code> is in your home folder{home ? <> (<code>{home}</code>)</> : null}.</>
          )}
        </div>
        {opening && <div className="muted" role="status">Opening {opening}…</div>}
        {openError && <OpenErrorBanner error={openError} onOpen={openPath} onDismiss={dismissError} />}
      </form>
      <section className="recent" aria-label="Recent projects">
        <h2>Recent projects</h2>
        {recent.length === 0 ? (
          <p className="muted">Projects you open appear here. You can also start Stowage with a folder: <code>npm start -- ~/src/my-service</code></p>
        ) : (
          <ul>
            {recent.map((r) => (
              <li key={r.path}>
                <button type="button" className="recent-open" onClick={() => void open(r.path)}>
                  <strong>{r.project ?? r.path.split('/').pop()}</strong>
                  <code>{r.path}</code>
                </button>
                <button type="button" className="ghost" aria-label={`Remove ${r.path} from recent projects`} onClick={() => void forget(r.path)}>✕</button>
              </li>
            ))}
          </ul>
        )}
      </section>
      {browsing && (
        <FolderBrowser
          start={browseStart}
          account={account}
          onClose={() => setBrowsing(false)}
          onPick={(picked) => {
            setBrowsing(false);
            openPath(picked);
          }}
        />
      )}
    </div>
  );
}

/** Why a folder did not open; for a folder without werf.yaml, the subfolders that have one, to open in one click. */
function OpenErrorBanner({ error, onOpen, onDismiss }: { error: AppError; onOpen(path: string): void; onDismiss(): void }) {
  const folder = typeof error.details?.folder === 'string' ? error.details.folder : null;
  const subfolders = error.code === 'no-werf-config' && typeof error.details?.subfolders === 'string' ? error.details.subfolders.split('\n').filter(Boolean) : [];
  return (
    <div className="banner error open-error" role="alert" data-code={error.code}>
      <div>
        <strong>{error.message}</strong> {error.hint}
        {folder && subfolders.length > 0 && (
          <ul className="subprojects" aria-label="Subfolders with werf.yaml">
            {subfolders.map((sub) => (
              <li key={sub}>
                <button type="button" onClick={() => onOpen(`${folder.replace(/\/$/, '')}/${sub}`)}>
                  Open <code>{sub}</code>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" className="ghost" onClick={onDismiss} aria-label="Dismiss">✕</button>
    </div>
  );
}

function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  return cut <= 0 ? '/' : trimmed.slice(0, cut);
}
