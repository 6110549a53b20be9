import { UserError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import { loadProjectIsolated } from '../../services/project/isolated-load';
import { unreadableConfig } from '../../services/project/load-project';
import { parseEnvPairs, requireOne } from '../output';

/** The CLI reads the project exactly as the app does, with --env values as overrides. */
export async function loadForCli(values: Record<string, unknown>, positionals: string[]): Promise<ProjectView> {
  return loadReadableProject(requireOne(positionals, 'project directory'), parseEnvPairs(values.env));
}

/** The project view, or a UserError when its werf.yaml cannot be read at all. */
export async function loadReadableProject(dir: string, envOverrides: Record<string, string> = {}): Promise<ProjectView> {
  // The same worker, limits and budgets as the app: a hostile project ends with a limit error.
  const view = await loadProjectIsolated(dir, { envOverrides });
  // For the CLI an unreadable werf.yaml is an unreadable project (exit 2), not a config with
  // errors in it (exit 1). The app shows the same problem in the project view.
  const unreadable = unreadableConfig(view);
  if (unreadable) throw new UserError({ code: unreadable.code, message: unreadable.message, ...(unreadable.hint ? { hint: unreadable.hint } : {}) });
  return view;
}
