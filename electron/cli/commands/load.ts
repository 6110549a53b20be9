import { UserError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import { parseWerfVersion, WERF_VERSIONS, type WerfVersion } from '../../../shared/werf-config/werf-version';
import { loadProjectBounded } from '../../services/project/in-process-load';
import { takeGitRead } from '../early-git';
import { unreadableConfig } from '../../services/project/load-project';
import { escapeControls, parseEnvPairs, requireOne, UsageError } from '../output';

/** `--werf-version`: whose rules apply; the current werf release when absent. */
export function werfVersionOf(values: Record<string, unknown>): WerfVersion | undefined {
  const raw = values['werf-version'];
  if (raw === undefined) return undefined;
  const v = typeof raw === 'string' ? parseWerfVersion(raw) : null;
  if (v === null) throw new UsageError(`--werf-version ${String(raw)} names no werf release Stowage knows; use one of ${WERF_VERSIONS.join(', ')} (or a release such as 1.2.339, 2.30, latest)`);
  return v;
}

/**
 * The CLI reads the project exactly as the app does, with --env values as overrides.
 * `checkUncommitted: false` skips the git run behind the giterminism warnings, for a command that
 * does not print them (`render`).
 */
export async function loadForCli(values: Record<string, unknown>, positionals: string[], options: { checkUncommitted?: false } = {}): Promise<ProjectView> {
  return loadReadableProject(requireOne(positionals, 'project directory'), parseEnvPairs(values.env), werfVersionOf(values), options);
}

/** The project view, or a UserError when its werf.yaml cannot be read at all. */
export async function loadReadableProject(dir: string, envOverrides: Record<string, string> = {}, werfVersion?: WerfVersion, options: { checkUncommitted?: false } = {}): Promise<ProjectView> {
  // The app's view under the app's limits: in this thread when the project fits the fast path's
  // bounds (start-up: no worker to boot), else in the project worker. See in-process-load.ts.
  const debug = process.env.STOWAGE_DEBUG_LOAD === '1';
  const git = takeGitRead(dir);
  const view = await loadProjectBounded(dir, {
    envOverrides,
    ...(git ? { git } : {}),
    ...(werfVersion ? { werfVersion } : {}),
    ...options,
    ...(debug ? { onPath: (path, why) => process.stderr.write(`stowage: project loaded ${path === 'worker' ? `in the worker (${escapeControls(why ?? '')})` : 'in-process'}\n`) } : {}),
  });
  // For the CLI an unreadable werf.yaml is an unreadable project (exit 2), not a config with
  // errors in it (exit 1). The app shows the same problem in the project view.
  const unreadable = unreadableConfig(view);
  if (unreadable) throw new UserError({ code: unreadable.code, message: unreadable.message, ...(unreadable.hint ? { hint: unreadable.hint } : {}) });
  return view;
}
