import type { CatalogRepository, CatalogResult } from '../../../shared/api/registries';
import { implementationIds, isImplementationChoice } from '../../../shared/registry/implementation-registry';
import type { RegistryAccess } from '../../services/registry-access';
import { KnownRegistries } from '../../services/registries/known/known-registries';
import { EXIT, UsageError, escapeControls as esc, json, requireOne } from '../output';

export interface CatalogDeps {
  access: Pick<RegistryAccess, 'resolver' | 'settings' | 'saved'>;
  settingsDir: string;
  signal?: AbortSignal;
}

/** The documented `--json` shape. */
export function catalogJson(result: CatalogResult, rows: readonly CatalogRepository[]): Record<string, unknown> {
  return {
    registry: result.registry,
    implementation: result.implementation,
    source: result.source,
    complete: result.complete,
    warnings: result.warnings,
    repositories: rows.map((r) => ({
      name: r.name,
      ...(r.tagCount !== undefined ? { tags: r.tagCount } : {}),
      // The registry's own count of artifacts (Harbor), not of tags.
      ...(r.artifactCount !== undefined ? { artifacts: r.artifactCount } : {}),
      ...(r.updated !== undefined ? { updated: r.updated } : {}),
    })),
  };
}

/** "3 tags", "5 artifacts" (Harbor's own count), both, or nothing. */
function countText(r: CatalogRepository): string {
  const parts: string[] = [];
  if (r.tagCount !== undefined) parts.push(`${r.tagCount} tag${r.tagCount === 1 ? '' : 's'}`);
  if (r.artifactCount !== undefined) parts.push(`${r.artifactCount} artifact${r.artifactCount === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/**
 * `stowage catalog <registry> [--implementation NAME] [--namespace NS] [--tag-counts] [--json]`:
 * the registry's repositories through its driver's catalog; exit 1 when the registry refuses.
 */
export async function runCatalog(values: Record<string, unknown>, positionals: string[], deps: CatalogDeps): Promise<{ stdout: string; code: number }> {
  const registry = requireOne(positionals, 'registry');
  const choice = typeof values.implementation === 'string' ? values.implementation : 'auto';
  if (!isImplementationChoice(choice)) throw new UsageError(`unknown implementation "${choice}"; use auto or one of ${implementationIds().join(', ')}`);
  if (!/^[^\s/]+$/.test(registry)) throw new UsageError(`"${registry}" is not a registry host[:port] (no scheme, no path)`);
  const namespace = typeof values.namespace === 'string' ? values.namespace : undefined;
  const signal = deps.signal ?? new AbortController().signal;
  const known = new KnownRegistries(deps.access, deps.settingsDir);
  const rows: CatalogRepository[] = [];
  const result = await known.catalog({ registry, implementation: choice, ...(namespace ? { namespace } : {}) }, signal, (r) => rows.push(...r));
  if (values['tag-counts'] === true && rows.length > 0) {
    // One call, so one session and one login: countTags already keeps to a few requests at a time.
    const uncounted = rows.filter((r) => r.tagCount === undefined).map((r) => r.name);
    const counts = new Map<string, number | null>();
    if (uncounted.length > 0) for (const c of await known.tagCounts(registry, result.implementation, uncounted, signal, () => undefined)) counts.set(c.repository, c.tags);
    for (const r of rows) {
      const n = counts.get(r.name);
      if (n !== undefined && n !== null) r.tagCount = n;
    }
  }
  if (values.json === true) return { stdout: json(catalogJson(result, rows)), code: EXIT.ok };
  const width = Math.min(80, Math.max(10, ...rows.map((r) => r.name.length)));
  const lines = [`stowage catalog ${esc(registry)}: ${rows.length} repositor${rows.length === 1 ? 'y' : 'ies'} (${result.implementation}, ${esc(result.source)})`, ''];
  for (const r of rows) lines.push(`${esc(r.name).padEnd(width)}  ${countText(r)}`.trimEnd());
  for (const w of result.warnings) lines.push(`! ${esc(w)}`);
  if (!result.complete) lines.push('', 'The catalog is incomplete (see the warnings).');
  return { stdout: lines.join('\n') + '\n', code: EXIT.ok };
}
