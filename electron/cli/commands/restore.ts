import type { RestoreItem } from '../../../shared/api/cleanup-run';
import { defaultSettingsDir } from '../../app/create-app';
import { CleanupRuns } from '../../services/cleanup/execute/service';
import type { RegistryAccess } from '../../services/registry-access';
import { EXIT, requireOne, type CommandOutput } from '../output';

export interface RestoreCommandDeps {
  access: RegistryAccess;
  signal?: AbortSignal;
  settingsDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * `stowage restore <run-id|audit-file> [--tag T]... [--json]`: brings back the tags a cleanup run
 * deleted (all, or the named ones: `T` is a tag, or `repository:tag` where the run spans several
 * repositories), each checked by resolving it to its original digest.
 */
export async function runRestore(values: Record<string, unknown>, positionals: string[], deps: RestoreCommandDeps): Promise<CommandOutput> {
  const ref = requireOne(positionals, 'run id or audit file');
  const json = values.json === true;
  const runs = new CleanupRuns({ settingsDir: deps.settingsDir ?? defaultSettingsDir(deps.env ?? process.env), access: deps.access });
  const wanted = Array.isArray(values.tag) ? (values.tag as string[]) : [];
  let tags: { repository: string; tag: string }[] | undefined;
  if (wanted.length > 0) {
    const report = await runs.report(ref, { allowPath: true });
    tags = wanted.flatMap((t) => {
      const matches = report.results.filter((r) => (r.outcome === 'deleted' || r.outcome === 'untagged') && (r.tag === t || `${r.repository}:${r.tag}` === t));
      // A name the run did not delete still gets its line: "nothing to restore".
      return matches.length > 0 ? matches.map((r) => ({ repository: r.repository, tag: r.tag })) : [{ repository: report.results[0]?.repository ?? '', tag: t }];
    });
  }
  const result = await runs.restore(ref, tags, deps.signal ?? new AbortController().signal, () => undefined, { allowPath: true });
  const code = result.results.some((r) => r.outcome === 'failed') ? EXIT.problems : EXIT.ok;
  if (json) return { stdout: `${JSON.stringify({ results: result.results.map(documented) }, null, 2)}\n`, code };
  const lines = result.results.map((r) => `  ${r.repository}:${r.tag}  ${r.outcome}${r.digest ? `  ${r.digest}` : ''}${r.detail ? `  — ${r.detail}` : ''}${r.hint ? `\n    fix: ${r.hint}` : ''}`);
  const restored = result.results.filter((r) => r.outcome === 'restored').length;
  lines.push(result.results.length === 0 ? `run ${result.runId}: nothing to restore` : `run ${result.runId}: ${restored} of ${result.results.length} restored`);
  return { stdout: `${lines.join('\n')}\n`, code };
}

/** The documented `--json` fields, exactly. */
function documented(r: RestoreItem) {
  return { repository: r.repository, tag: r.tag, digest: r.digest, outcome: r.outcome, ...(r.detail !== undefined ? { detail: r.detail } : {}) };
}
