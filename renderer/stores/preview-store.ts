import { create } from 'zustand';
import type { GitInfo } from '../../shared/api/types';
import type { ImplementationChoice } from '../../shared/registry/implementations';
import type { TagStrategy } from '../../shared/naming/tags';
import { api } from '../api';

export type RepoModeChoice = 'auto' | 'multirepo' | 'monorepo';

export interface PreviewSettings {
  imagesRepo: string;
  implementation: ImplementationChoice;
  mode: RepoModeChoice;
  customTags: string;
  branch: string;
  gitTag: string;
  commit: string;
  strategies: Record<TagStrategy, boolean>;
}

interface PreviewState extends PreviewSettings {
  projectPath: string | null;
  update(patch: Partial<PreviewSettings>): void;
  toggleStrategy(strategy: TagStrategy): void;
  /** Restores what the user typed for this project last time, and fills git values from the work tree. */
  loadForProject(path: string, git: GitInfo | null): void;
}

const DEFAULTS: PreviewSettings = {
  imagesRepo: '',
  implementation: 'auto',
  mode: 'auto',
  customTags: 'latest',
  branch: '',
  gitTag: '',
  commit: '',
  strategies: { custom: true, 'git-branch': true, 'git-tag': false, 'git-commit': false },
};

/** Saving waits for typing to pause: one write per burst of keystrokes. */
const SAVE_AFTER_MS = 400;
let saveTimer: ReturnType<typeof setTimeout> | null = null;
let flushSave: (() => void) | null = null;

/**
 * What the user typed is remembered per project in the settings folder by the main process (a
 * browser host's localStorage is per address and its port changes every run, so it forgot).
 */
function persist(state: PreviewState): void {
  if (!state.projectPath) return;
  const { projectPath: path, imagesRepo, implementation, mode, customTags, strategies } = state;
  if (saveTimer) clearTimeout(saveTimer);
  const save = () => {
    saveTimer = null;
    flushSave = null;
    // A failed save only means the inputs do not survive a restart; the view keeps working.
    void api.call('project.remember', { path, preview: { imagesRepo: imagesRepo.slice(0, 500), implementation, mode, customTags: customTags.slice(0, 2000), strategies } });
  };
  flushSave = save;
  saveTimer = setTimeout(save, SAVE_AFTER_MS);
}

function legacyPreview(path: string): Partial<PreviewSettings> | null {
  try {
    const key = `stowage.preview:${path}`;
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    localStorage.removeItem(key);
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Partial<PreviewSettings>) : null;
  } catch {
    return null;
  }
}

/** Writes a pending save now (another project is opening). */
function flushPending(): void {
  if (saveTimer) clearTimeout(saveTimer);
  flushSave?.();
}

export const usePreviewStore = create<PreviewState>((set, get) => ({
  ...DEFAULTS,
  projectPath: null,
  update(patch) {
    set(patch);
    persist(get());
  },
  toggleStrategy(strategy) {
    set((s) => ({ strategies: { ...s.strategies, [strategy]: !s.strategies[strategy] } }));
    persist(get());
  },
  loadForProject(path, git) {
    const fromGit = { branch: git?.branch ?? '', gitTag: git?.tag ?? '', commit: git?.commit ?? '' };
    const apply = (saved: Partial<PreviewSettings>) =>
      set({
        ...DEFAULTS,
        ...saved,
        strategies: { ...DEFAULTS.strategies, ...(saved.strategies ?? {}), 'git-tag': Boolean(git?.tag) || Boolean(saved.strategies?.['git-tag']) },
        projectPath: path,
        ...fromGit,
      });
    if (get().projectPath === path) {
      set(fromGit);
      return;
    }
    flushPending();
    apply({});
    void api.call('project.remembered', { path }).then((result) => {
      // Only while the same project is shown, and before the user typed anything new.
      if (!result.ok || get().projectPath !== path || saveTimer !== null) return;
      if (result.value?.preview) apply(result.value.preview);
      else {
        // Earlier versions kept these in the window's localStorage: carried over once.
        const legacy = legacyPreview(path);
        if (legacy) {
          apply(legacy);
          persist(get());
        }
      }
    });
  },
}));

/** The tag inputs for the naming preview, in werf's strategy order. */
export function tagInputs(s: PreviewSettings): { strategy: TagStrategy; raw: string }[] {
  const out: { strategy: TagStrategy; raw: string }[] = [];
  if (s.strategies.custom) {
    for (const t of s.customTags.split(/[\s,]+/).filter(Boolean)) out.push({ strategy: 'custom', raw: t });
  }
  if (s.strategies['git-branch'] && s.branch) out.push({ strategy: 'git-branch', raw: s.branch });
  if (s.strategies['git-tag'] && s.gitTag) out.push({ strategy: 'git-tag', raw: s.gitTag });
  if (s.strategies['git-commit'] && s.commit) out.push({ strategy: 'git-commit', raw: s.commit });
  return out;
}
