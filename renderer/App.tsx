import { useEffect, useState } from 'react';
import { OpenProject } from './features/open-project/OpenProject';
import { ProjectScreen } from './features/project/ProjectScreen';
import { RegistriesPage } from './features/registries/RegistriesPage';
import { useProjectStore } from './stores/project-store';
import { useRegistriesStore } from './stores/registries-store';

export function App() {
  const { view, connection, info, init, close } = useProjectStore();
  const [started, setStarted] = useState(false);
  const registriesOpen = useRegistriesStore((s) => s.open);
  const showRegistries = useRegistriesStore((s) => s.show);

  useEffect(() => {
    if (started) return;
    setStarted(true);
    void init();
  }, [started, init]);

  return (
    <div className="app">
      <nav className="topbar" aria-label="Application">
        <span className="brand">
          <span className="logo" aria-hidden="true">▣</span> Stowage
        </span>
        {view && !registriesOpen && (
          <button type="button" className="ghost" onClick={() => void close()}>
            ← Projects
          </button>
        )}
        <button type="button" className="ghost nav-link" aria-current={registriesOpen ? 'page' : undefined} onClick={() => showRegistries(!registriesOpen)}>
          {registriesOpen ? (view ? '← Project' : '← Projects') : 'Registries'}
        </button>
        <span className="spacer" />
        {info && <span className="muted host">{info.host === 'browser' ? 'browser host' : 'desktop'} · v{info.version}</span>}
      </nav>
      {connection === 'closed' && (
        <div className="banner error" role="alert">
          Not connected to Stowage. If you started it with <code>npm start</code>, open the exact address it printed (it carries a one-time token), or restart it.
        </div>
      )}
      <main>{registriesOpen ? <RegistriesPage /> : view ? <ProjectScreen view={view} /> : <OpenProject />}</main>
    </div>
  );
}
