import { useEffect, useState } from 'react';
import { hasStoredToken } from './api/transport';
import { AddressNeeded } from './features/connection/AddressNeeded';
import { OpenProject } from './features/open-project/OpenProject';
import { ProjectScreen } from './features/project/ProjectScreen';
import { RegistriesPage } from './features/registries/RegistriesPage';
import { useProjectStore } from './stores/project-store';
import { ThemeToggle } from './components/ThemeToggle';
import { useGlobalShortcuts } from './components/use-shortcuts';
import { useThemeStore } from './stores/theme-store';
import { useRegistriesStore } from './stores/registries-store';

export function App() {
  const { view, connection, connectedOnce, info, init, close } = useProjectStore();
  const [started, setStarted] = useState(false);
  const loadTheme = useThemeStore((s) => s.load);
  useGlobalShortcuts();
  const registriesOpen = useRegistriesStore((s) => s.open);
  const showRegistries = useRegistriesStore((s) => s.show);

  useEffect(() => {
    if (started) return;
    setStarted(true);
    void init();
  }, [started, init]);
  // The remembered theme is asked for once the host has let the page in (a call before that fails).
  useEffect(() => {
    if (connectedOnce) void loadTheme();
  }, [connectedOnce, loadTheme]);

  return (
    <div className="app">
      <nav className="topbar" aria-label="Application">
        <span className="brand">
          <span className="logo" aria-hidden="true">▣</span> Stowage
        </span>
        {view && !registriesOpen && (
          <button type="button" className="ghost back-to-projects" onClick={() => void close()}>
            ← Projects
          </button>
        )}
        {connectedOnce && (
          <button type="button" className="ghost nav-link" aria-current={registriesOpen ? 'page' : undefined} onClick={() => showRegistries(!registriesOpen)}>
            {registriesOpen ? (view ? '← Project' : '← Projects') : 'Registries'}
          </button>
        )}
        <span className="spacer" />
        {connectedOnce && <ThemeToggle />}
        {info && <span className="muted host">{info.host === 'browser' ? 'browser host' : 'desktop'} · v{info.version}</span>}
      </nav>
      {connection === 'closed' && connectedOnce && (
        <div className="banner error" role="alert">
          Lost the connection to Stowage (it stopped, or was restarted). Start it again with <code>npm start</code> and open the new address it prints.
        </div>
      )}
      {/* A page the host never let in (no or an old token) shows only how to get the right address. */}
      {!connectedOnce ? (
        connection === 'closed' ? <AddressNeeded hadToken={hasStoredToken()} /> : <main aria-busy="true" className="connecting muted">Connecting to Stowage…</main>
      ) : (
        <main>{registriesOpen ? <RegistriesPage /> : view ? <ProjectScreen view={view} /> : <OpenProject />}</main>
      )}
    </div>
  );
}
