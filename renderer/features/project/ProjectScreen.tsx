import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ProjectView } from '../../../shared/api/types';
import { ProblemList } from '../../components/ProblemList';
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
  const loadForProject = usePreviewStore((s) => s.loadForProject);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => loadForProject(view.path, view.git), [view.path, view.git, loadForProject]);

  const onTabKey = (e: KeyboardEvent, index: number) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    const next = (index + delta + TABS.length) % TABS.length;
    setTab(TABS[next]!.id);
    tabRefs.current[next]?.focus();
  };

  const errors = view.problems.filter((p) => p.severity === 'error').length;
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
            <span className="muted" key={reloads} data-reloaded={reloads > 0}>{reloads > 0 ? 'reloaded from disk' : 'watching for changes'}</span>
          </div>
        </div>
        <div className="summary">
          <strong data-testid="image-count">{view.images.length}</strong> image{view.images.length === 1 ? '' : 's'}
          {errors > 0 && <span className="badge error">{errors} error{errors === 1 ? '' : 's'}</span>}
        </div>
      </header>
      <ProblemList problems={view.problems} title="Problems in the config" />
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
        {tab === 'images' && <ImagesView images={view.images} />}
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
