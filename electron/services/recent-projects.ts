import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecentProject } from '../../shared/api/types';
import { writeFileAtomically } from './atomic-file';

const MAX_RECENT = 12;

/** The recent-projects list, kept as a small JSON file in the settings folder. */
export class RecentProjects {
  private readonly file: string;

  constructor(settingsDir: string, private readonly now: () => Date = () => new Date()) {
    this.file = join(settingsDir, 'recent-projects.json');
  }

  async list(): Promise<RecentProject[]> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(isRecentProject).slice(0, MAX_RECENT);
    } catch {
      // A missing or damaged file only costs the list, never the app.
      return [];
    }
  }

  async add(path: string, project: string | null): Promise<RecentProject[]> {
    const entry: RecentProject = { path, project, openedAt: this.now().toISOString() };
    const next = [entry, ...(await this.list()).filter((p) => p.path !== path)].slice(0, MAX_RECENT);
    await this.save(next);
    return next;
  }

  async forget(path: string): Promise<RecentProject[]> {
    const next = (await this.list()).filter((p) => p.path !== path);
    await this.save(next);
    return next;
  }

  private async save(list: RecentProject[]): Promise<void> {
    await writeFileAtomically(this.file, JSON.stringify(list, null, 2));
  }
}

function isRecentProject(value: unknown): value is RecentProject {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.path === 'string' && typeof v.openedAt === 'string' && (v.project === null || typeof v.project === 'string');
}
