import { UserError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import { loadProject } from '../../services/project/load-project';
import { parseEnvPairs, requireOne } from '../output';

// The config could not be read at all: for the CLI that is an unreadable project (exit 2), not a
// werf.yaml with errors in it (exit 1). The app shows the same problems in the project view.
const UNREADABLE = new Set(['no-werf-config', 'config-is-directory', 'config-not-a-file', 'permission-denied', 'not-found', 'not-a-directory', 'symlink-loop', 'fs-error']);

/** The CLI reads the project exactly as the app does, with --env values as overrides. */
export async function loadForCli(values: Record<string, unknown>, positionals: string[]): Promise<ProjectView> {
  return loadReadableProject(requireOne(positionals, 'project directory'), parseEnvPairs(values.env));
}

/** The project view, or a UserError when its werf.yaml cannot be read at all. */
export async function loadReadableProject(dir: string, envOverrides: Record<string, string> = {}): Promise<ProjectView> {
  const view = await loadProject(dir, { envOverrides });
  const unreadable = view.problems.find((p) => p.severity === 'error' && UNREADABLE.has(p.code));
  if (unreadable) throw new UserError({ code: unreadable.code, message: unreadable.message, ...(unreadable.hint ? { hint: unreadable.hint } : {}) });
  return view;
}
