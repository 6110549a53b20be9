import { UserError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import { parseWerfVersion, WERF_VERSIONS, type WerfVersion } from '../../../shared/werf-config/werf-version';
import { takeGitRead } from '../early-git';
import { projectLoader } from '../project-loader';
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
  const debug = process.env.STOWAGE_DEBUG_LOAD === '1';
  const git = takeGitRead(dir);
  const loader = await projectLoader();
  if (debug) process.stderr.write(`stowage: project loader compiled ${loader.compiled}\n`);
  const result = await loader.loadProjectForCli({
    dir,
    envOverrides,
    ...(werfVersion ? { werfVersion } : {}),
    ...options,
    ...(git ? { git } : {}),
    ...(debug ? { onPath: (path, why) => process.stderr.write(`stowage: project loaded ${path === 'worker' ? `in the worker (${escapeControls(why ?? '')})` : 'in-process'}\n`) } : {}),
  });
  loader.saveCache();
  if (!result.ok) throw new UserError(result.error);
  return result.view;
}
