import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCachedBundle } from '../compile-cache';
import type { loadProjectForCli } from './load-in-bundle';

/** Set by the CLI's build (scripts/build.mjs): the loader then comes from its own bundle. */
declare const __STOWAGE_PROJECT_LOADER_BUNDLE__: string | undefined;

export interface ProjectLoader {
  loadProjectForCli: typeof loadProjectForCli;
  /** Keeps what this run compiled for the next start (a no-op once it has been kept). */
  saveCache(): void;
  /** How the loader's code was compiled (`STOWAGE_DEBUG_LOAD`); `source-module` when run from source. */
  compiled: 'from-cache' | 'from-source' | 'source-module';
}

/**
 * The project loader: in the built CLI, its bundle compiled with the code cache; run from source
 * (tests), the module itself.
 */
export async function projectLoader(): Promise<ProjectLoader> {
  // An if/else on the build's constant, so the build drops the source branch and its import.
  if (typeof __STOWAGE_PROJECT_LOADER_BUNDLE__ === 'string') {
    const bundle = loadCachedBundle<{ loadProjectForCli: typeof loadProjectForCli }>(bundleFile(__STOWAGE_PROJECT_LOADER_BUNDLE__));
    return { loadProjectForCli: bundle.exports.loadProjectForCli, saveCache: bundle.saveCache, compiled: bundle.compiled };
  } else {
    const { loadProjectForCli } = await import('./load-in-bundle');
    return { loadProjectForCli, saveCache: () => {}, compiled: 'source-module' };
  }
}

/** Beside the chunk this code is in (out/cli-chunks/), or in cli-chunks/ beside out/cli.mjs. */
function bundleFile(name: string): string {
  const here = new URL(`./${name}`, import.meta.url);
  return fileURLToPath(existsSync(here) ? here : new URL(`./cli-chunks/${name}`, import.meta.url));
}
