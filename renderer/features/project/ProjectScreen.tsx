import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ProjectView } from '../../../shared/api/types';
import { configBreakage, errorsFirst } from '../../../shared/project/config-state';
import { ProblemList } from '../../components/ProblemList';
import { EnvOverridesMarker } from '../../components/EnvOverridesMarker';
import { usePreviewStore } from '../../stores/preview-store';
import { useProjectStore } from '../../stores/project-store';
import { PreviewPanel } from '../preview/PreviewPanel';
import { InventoryPanel } from '../inventory/InventoryPanel';
import { CleanupPanel } from '../cleanup/CleanupPanel';
import { HistoryPanel } from '../history/HistoryPanel';
import { RegistryPanel } from '../registry/RegistryPanel';
import { PublishPanel } from '../publish/PublishPanel';
import { ImagesView } from './ImagesView';
import { RenderedConfig } from './RenderedConfig';

const TABS = [
  { id: 'images', label: 'Images' },
  { id: 'names', label: 'Final names' },
  { id: 'registry', label: 'Registry access' },
  { id: 'publish', label: 'Publish' },
  { id: 'inventory', label: 'Inventory' },
  { id: 'cleanup', label: 'Cleanup' },
  { id: 'history', label: 'History' },
  { id: 'rendered', label: 'Rendered' },
] as const;
type TabId = (typeof TABS)[number]['id'];

export function ProjectScreen({ view }: { view: ProjectView }) {
  const [tab, setTab] = useState<TabId>('images');
  const reloads = useProjectStore((s) => s.reloads);
  const reloading = useProjectStore((s) => s.reloading);
  const reloadError = useProjectStore((s) => s.reloadError);
  const reload = useProjectStore((s) => s.reload);
  const loadForProject = usePreviewStore((s) => s.loadForProject);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  // Keyed on the values, not the object: every live reload brings a new git object, and only a
  // real change (a commit, a checkout, a tag) should refill the tag inputs.
  const { branch = null, tag = null, commit = null, commitDate = null } = view.git ?? {};
  const git = view.git;
  useEffect(() => loadForProject(view.path, git), [view.path, branch, tag, commit, commitDate, loadForProject]); // eslint-disable-line react-hooks/exhaustive-deps

  // Ctrl+R / ⌘R / F5 read the project again instead of reloading the page (which would lose the
  // token-less session in the browser host and every view's state).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const combo = (e.key === 'r' || e.key === 'R') && (e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey;
      if (!combo && e.key !== 'F5') return;
      e.preventDefault();
      void reload();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [reload]);

  const onTabKey = (e: KeyboardEvent, index: number) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : delta ? (index + delta + TABS.length) % TABS.length : -1;
    if (next < 0) return;
    e.preventDefault();
    setTab(TABS[next]!.id);
    tabRefs.current[next]?.focus();
  };

  const problems = errorsFirst(view.problems);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const broken = configBreakage(problems);
  return (
    <div className="project">
      <header className="project-header">
        <div>
          <h1>{view.project ?? view.path.split('/').pop()}</h1>
          <div className="meta">
            <code>{view.path}</code>
            {view.configFile && <span>{view.configFile}{view.configVersion !== null ? ` · configVersion ${view.configVersion}` : ''}{view.templated ? ' · templated' : ''}</span>}
            {view.git?.branch && <span>branch <code>{view.git.branch}</code></span>}
            {view.git?.commit && <span>commit <code>{view.git.commit.slice(0, 12)}</code></span>}
            <EnvOverridesMarker view={view} where="project" />
            <span className="muted" key={reloads} data-reloaded={reloads > 0} title={`Read at ${timeOf(view.loadedAt)}. Watched: ${[...(view.inputs ?? []), ...(view.git ? ['git HEAD, index and refs'] : [])].join(', ')}`}>
              {reloads > 0 ? `reloaded ${timeOf(view.loadedAt)}` : `watching ${watchedSummary(view)} for changes`}
            </span>
          </div>
        </div>
        <div className="summary">
          <button type="button" className="reload" onClick={() => void reload()} disabled={reloading} aria-keyshortcuts="Control+R F5" title="Read werf.yaml, the files it reads and git again (Ctrl+R or F5)">
            {reloading ? 'Reloading…' : '↻ Reload'}
          </button>
          <span>
            <strong data-testid="image-count">{view.images.length}</strong> image{view.images.length === 1 ? '' : 's'}
            {view.stale && <span className="badge warn">stale</span>}
            {errors > 0 && <span className="badge error">{errors} error{errors === 1 ? '' : 's'}</span>}
          </span>
        </div>
      </header>
      {reloadError && (
        <div className="banner error" role="alert">
          <strong>Reload failed: {reloadError.message}</strong> {reloadError.hint}
        </div>
      )}
      {view.stale && (
        <div className="banner warn stale-banner" role="status" data-testid="stale-banner">
          <span>
            <strong>{view.configFile ?? 'werf.yaml'} has {view.stale.reason === 'yaml' ? 'a YAML syntax error' : 'a template error'}</strong>: the images below are
            the last version that rendered (read at {timeOf(view.stale.goodLoadedAt)}) and may be out of date. Fix the error below; the view updates when you save.
          </span>
        </div>
      )}
      <ProblemList problems={problems} title="Problems in the config" />
      <div role="tablist" aria-label="Project views" className="tabs">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
        {tab === 'images' &&
          (broken && !view.stale && view.images.length === 0 ? (
            <BrokenConfig view={view} breakage={broken} />
          ) : (
            <ImagesView images={view.images} />
          ))}
        {tab === 'names' && <PreviewPanel view={view} />}
        {tab === 'registry' && <RegistryPanel />}
        {tab === 'inventory' && <InventoryPanel view={view} />}
        {tab === 'cleanup' && <CleanupPanel view={view} />}
        {tab === 'publish' && <PublishPanel view={view} onOpenInventory={() => setTab('inventory')} />}
        {tab === 'history' && <HistoryPanel />}
        {tab === 'rendered' && <RenderedConfig view={view} />}
      </div>
    </div>
  );
}

/** A config that never rendered or parsed since it was opened: nothing to show but the error. */
function BrokenConfig({ view, breakage }: { view: ProjectView; breakage: 'yaml' | 'template' }) {
  const first = errorsFirst(view.problems)[0];
  const at = first?.location ? `${first.location.file}:${first.location.line}` : (view.configFile ?? 'werf.yaml');
  return (
    <div className="empty-state broken-config" data-testid="broken-config" data-breakage={breakage}>
      <strong>{breakage === 'yaml' ? 'The config is not valid YAML' : 'A template in the config does not render'}</strong> ({at}), so Stowage cannot tell which
      images it defines. Fix the error listed above; the view updates when you save.
    </div>
  );
}

function timeOf(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

function watchedSummary(view: ProjectView): string {
  const files = view.inputs?.length ?? 0;
  const what = files > 0 ? `${files} file${files === 1 ? '' : 's'}` : (view.configFile ?? 'the folder');
  return view.git ? `${what} and git` : what;
}
