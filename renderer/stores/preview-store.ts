import { create } from 'zustand';
import type { GitInfo } from '../../shared/api/types';
import type { ImplementationChoice } from '../../shared/registry/implementations';
import type { TagStrategy } from '../../shared/naming/tags';

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

const storageKey = (path: string) => `stowage.preview:${path}`;

function restore(path: string): Partial<PreviewSettings> {
  try {
    const raw = localStorage.getItem(storageKey(path));
    return raw ? (JSON.parse(raw) as Partial<PreviewSettings>) : {};
  } catch {
    return {};
  }
}

function persist(state: PreviewState): void {
  if (!state.projectPath) return;
  const { imagesRepo, implementation, mode, customTags, strategies } = state;
  try {
    localStorage.setItem(storageKey(state.projectPath), JSON.stringify({ imagesRepo, implementation, mode, customTags, strategies }));
  } catch {
    /* storage full or disabled: settings just do not survive a restart */
  }
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
    const saved = restore(path);
    set({
      ...DEFAULTS,
      ...saved,
      strategies: { ...DEFAULTS.strategies, ...(saved.strategies ?? {}), 'git-tag': Boolean(git?.tag) || Boolean(saved.strategies?.['git-tag']) },
      projectPath: path,
      branch: git?.branch ?? '',
      gitTag: git?.tag ?? '',
      commit: git?.commit ?? '',
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
