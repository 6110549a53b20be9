import { UserError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import { parseWerfVersion, WERF_VERSIONS, type WerfVersion } from '../../../shared/werf-config/werf-version';
import { loadProjectIsolated } from '../../services/project/isolated-load';
import { unreadableConfig } from '../../services/project/load-project';
import { parseEnvPairs, requireOne, UsageError } from '../output';

/** `--werf-version`: whose rules apply; the current werf release when absent. */
export function werfVersionOf(values: Record<string, unknown>): WerfVersion | undefined {
  const raw = values['werf-version'];
  if (raw === undefined) return undefined;
  const v = typeof raw === 'string' ? parseWerfVersion(raw) : null;
  if (v === null) throw new UsageError(`--werf-version ${String(raw)} names no werf release Stowage knows; use one of ${WERF_VERSIONS.join(', ')} (or a release such as 1.2.339, 2.30, latest)`);
  return v;
}

/** The CLI reads the project exactly as the app does, with --env values as overrides. */
export async function loadForCli(values: Record<string, unknown>, positionals: string[]): Promise<ProjectView> {
  return loadReadableProject(requireOne(positionals, 'project directory'), parseEnvPairs(values.env), werfVersionOf(values));
}

/** The project view, or a UserError when its werf.yaml cannot be read at all. */
export async function loadReadableProject(dir: string, envOverrides: Record<string, string> = {}, werfVersion?: WerfVersion): Promise<ProjectView> {
  // The same worker, limits and budgets as the app: a hostile project ends with a limit error.
  const view = await loadProjectIsolated(dir, { envOverrides, ...(werfVersion ? { werfVersion } : {}) });
  // For the CLI an unreadable werf.yaml is an unreadable project (exit 2), not a config with
  // errors in it (exit 1). The app shows the same problem in the project view.
  const unreadable = unreadableConfig(view);
  if (unreadable) throw new UserError({ code: unreadable.code, message: unreadable.message, ...(unreadable.hint ? { hint: unreadable.hint } : {}) });
  return view;
}
