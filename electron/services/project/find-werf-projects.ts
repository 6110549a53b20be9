import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_NAMES } from './load-project';

export interface FindOptions {
  /** Folder levels below `dir` to look in (1 = its direct subfolders). */
  maxDepth?: number;
  /** Stop after this many projects. */
  maxResults?: number;
  /** Stop after listing this many folders, so a huge tree answers quickly. */
  maxFolders?: number;
}

// Dependencies and VCS internals hold other people's werf.yaml files (vendored charts, examples),
// never the project the user meant.
const SKIPPED = new Set(['node_modules', '.git', 'vendor', '.venv', 'venv', '__pycache__', 'dist', 'build', 'target']);

/**
 * Subfolders of `dir` that hold a werf.yaml or werf.yml, as paths relative to `dir`, nearest first:
 * offered when a folder without one is opened (a monorepo root, or the parent of the project).
 * Breadth first, a bounded depth and count; symbolic links are not followed.
 */
export async function findWerfProjects(dir: string, options: FindOptions = {}): Promise<string[]> {
  const maxDepth = options.maxDepth ?? 3;
  const maxResults = options.maxResults ?? 12;
  const maxFolders = options.maxFolders ?? 2000;
  const found: string[] = [];
  let listed = 0;
  let level: string[] = [''];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      if (found.length >= maxResults || listed >= maxFolders) return found;
      listed++;
      let entries;
      try {
        entries = await readdir(rel ? join(dir, rel) : dir, { withFileTypes: true });
      } catch {
        continue;
      }
      if (rel && entries.some((e) => e.isFile() && (CONFIG_NAMES as readonly string[]).includes(e.name))) {
        found.push(rel);
        // A werf project's own subfolders are its parts, not other projects.
        continue;
      }
      if (depth === maxDepth) continue;
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.isDirectory() && !SKIPPED.has(e.name) && !e.name.includes('\n')) next.push(rel ? `${rel}/${e.name}` : e.name);
      }
    }
    level = next;
  }
  return found;
}
