import { useState } from 'react';
import { useProjectStore } from '../../stores/project-store';
import { FolderBrowser } from './FolderBrowser';
import { api } from '../../api';

/** The start screen and the "Open" bar: a path field, a folder picker and the recent projects. */
export function OpenProject() {
  const { info, opening, openError, recent, open, cancelOpen, forget, dismissError } = useProjectStore();
  const [path, setPath] = useState('');
  const [browsing, setBrowsing] = useState(false);

  const pick = async () => {
    if (info?.canPickFolderNatively) {
      const result = await api.call('dialog.pickFolder', {});
      if (result.ok && result.value.path) {
        setPath(result.value.path);
        await open(result.value.path);
      }
    } else {
      setBrowsing(true);
    }
  };

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
          if (path.trim()) void open(path);
        }}
      >
        <label htmlFor="project-path">Project folder</label>
        <div className="row">
          <input
            id="project-path"
            type="text"
            placeholder="/home/you/src/my-service"
            value={path}
            spellCheck={false}
            autoFocus
            onChange={(e) => setPath(e.target.value)}
          />
          <button type="button" onClick={() => void pick()}>
            {info?.canPickFolderNatively ? 'Choose…' : 'Browse…'}
          </button>
          {opening ? (
            <button type="button" onClick={cancelOpen}>Cancel</button>
          ) : (
            <button type="submit" className="primary" disabled={!path.trim()}>Open</button>
          )}
        </div>
        {opening && <div className="muted" role="status">Opening {opening}…</div>}
        {openError && (
          <div className="banner error" role="alert">
            <strong>{openError.message}</strong> {openError.hint}
            <button type="button" className="ghost" onClick={dismissError} aria-label="Dismiss">✕</button>
          </div>
        )}
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
          start={path.trim().startsWith('/') ? path.trim() : null}
          onClose={() => setBrowsing(false)}
          onPick={(picked) => {
            setBrowsing(false);
            setPath(picked);
            void open(picked);
          }}
        />
      )}
    </div>
  );
}
