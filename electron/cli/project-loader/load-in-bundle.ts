import { UserError, type AppError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import type { WerfVersion } from '../../../shared/werf-config/werf-version';
import { loadProjectBounded, type GitReadUnderway } from '../../services/project/in-process-load';
import { unreadableConfig } from '../../services/project/load-project';

/**
 * The CLI's project loading, built as its own CommonJS bundle (out/cli-chunks/project-loader.cjs)
 * that the CLI compiles with V8's code cache (see compile-cache.ts): the template engine, YAML,
 * the Go regexp engine and the werf config parser are most of a project command's start-up.
 * Only data crosses this boundary (the bundle has its own copies of shared classes), so a user
 * error comes back as an AppError for the caller to throw as its own.
 */
export interface ProjectLoadRequest {
  dir: string;
  envOverrides: Record<string, string>;
  werfVersion?: WerfVersion;
  checkUncommitted?: false;
  /** A read of the project's git state already under way (started before this code loaded). */
  git?: GitReadUnderway;
  /** Told which way the load went (`STOWAGE_DEBUG_LOAD`). */
  onPath?: (path: 'in-process' | 'worker', why?: string) => void;
}

export type ProjectLoadResult = { ok: true; view: ProjectView } | { ok: false; error: AppError };

/** The project view, or the error that a werf.yaml that cannot be read at all is. */
export async function loadProjectForCli(request: ProjectLoadRequest): Promise<ProjectLoadResult> {
  try {
    // The app's view under the app's limits: in this thread when the project fits the fast path's
    // bounds (start-up: no worker to boot), else in the project worker. See in-process-load.ts.
    const view = await loadProjectBounded(request.dir, {
      envOverrides: request.envOverrides,
      ...(request.git ? { git: request.git } : {}),
      ...(request.werfVersion ? { werfVersion: request.werfVersion } : {}),
      ...(request.checkUncommitted === false ? { checkUncommitted: false } : {}),
      ...(request.onPath ? { onPath: request.onPath } : {}),
    });
    // For the CLI an unreadable werf.yaml is an unreadable project (exit 2), not a config with
    // errors in it (exit 1). The app shows the same problem in the project view.
    const unreadable = unreadableConfig(view);
    if (unreadable) return { ok: false, error: { code: unreadable.code, message: unreadable.message, ...(unreadable.hint ? { hint: unreadable.hint } : {}) } };
    return { ok: true, view };
  } catch (error) {
    if (error instanceof UserError) return { ok: false, error: error.toData() };
    throw error;
  }
}
