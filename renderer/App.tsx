import { useEffect, useState } from 'react';
import { OpenProject } from './features/open-project/OpenProject';
import { ProjectScreen } from './features/project/ProjectScreen';
import { useProjectStore } from './stores/project-store';
import { ThemeToggle } from './components/ThemeToggle';
import { useGlobalShortcuts } from './components/use-shortcuts';
import { useThemeStore } from './stores/theme-store';

export function App() {
  const { view, connection, info, init, close } = useProjectStore();
  const [started, setStarted] = useState(false);
  const loadTheme = useThemeStore((s) => s.load);
  useGlobalShortcuts();

  useEffect(() => {
    if (started) return;
    setStarted(true);
    void init();
    void loadTheme();
  }, [started, init, loadTheme]);

  return (
    <div className="app">
      <nav className="topbar" aria-label="Application">
        <span className="brand">
          <span className="logo" aria-hidden="true">▣</span> Stowage
        </span>
        {view && (
          <button type="button" className="ghost" onClick={() => void close()}>
            ← Projects
          </button>
        )}
        <span className="spacer" />
        <ThemeToggle />
        {info && <span className="muted host">{info.host === 'browser' ? 'browser host' : 'desktop'} · v{info.version}</span>}
      </nav>
      {connection === 'closed' && (
        <div className="banner error" role="alert">
          Not connected to Stowage. If you started it with <code>npm start</code>, open the exact address it printed (it carries a one-time token), or restart it.
        </div>
      )}
      <main>{view ? <ProjectScreen view={view} /> : <OpenProject />}</main>
    </div>
  );
}
