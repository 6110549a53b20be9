import { MAX_CONCURRENCY } from '../../../shared/credentials/types';
import { sharedWith, totals } from '../../../shared/inventory/summarize';
import { describeRateLimit } from '../../../shared/inventory/rate-limit';
import type { InventoryTag } from '../../../shared/inventory/types';
import { isImplementationChoice, IMPLEMENTATIONS, type ImplementationChoice } from '../../../shared/registry/implementations';
import type { RegistryAccess } from '../../services/registry-access';
import { EXIT, parseEnvPairs, requireOne, UsageError, type CommandOutput } from '../output';
import { registryTlsOverride } from '../registry-flags';
import { loadReadableProject } from './load';

const MODES = ['auto', 'multirepo', 'monorepo'] as const;

function toJson(row: InventoryTag, shared: string[]) {
  return {
    repository: row.repository,
    tag: row.tag,
    digest: row.digest,
    mediaType: row.mediaType,
    size: row.size,
    ...(row.created ? { created: row.created } : {}),
    ...(row.pushed ? { pushed: row.pushed } : {}),
    ...(row.pulled ? { pulled: row.pulled } : {}),
    ...(row.image !== undefined ? { image: row.image } : {}),
    ...(row.labels ? { labels: row.labels } : {}),
    sharedWith: shared,
    kind: row.kind,
    ...(row.service ? { service: row.service } : {}),
    ...(row.signatureOf ? { signatureOf: row.signatureOf } : {}),
    ...(row.platforms ? { platforms: row.platforms } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

/** `stowage tags`: the same inventory as the app's Inventory view, headless. */
export async function runTags(
  values: Record<string, unknown>,
  positionals: string[],
  access: RegistryAccess,
  signal?: AbortSignal,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<CommandOutput> {
  const imagesRepo = requireOne(positionals, 'images repo');
  const implementation = (values.implementation as string | undefined) ?? 'auto';
  if (!isImplementationChoice(implementation)) throw new UsageError(`unknown implementation "${implementation}"; use auto or one of ${IMPLEMENTATIONS.join(', ')}`);
  const mode = (values['images-repo-mode'] as string | undefined) ?? 'auto';
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`bad --images-repo-mode '${mode}': only multirepo, monorepo or auto supported`);
  let images: (string | null)[] = [];
  if (typeof values.project === 'string') {
    const view = await loadReadableProject(values.project, parseEnvPairs(values.env));
    images = view.images.filter((i) => i.final && i.kind !== 'artifact').map((i) => i.name);
  }
  const image = typeof values.image === 'string' ? values.image : undefined;
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_CONCURRENCY)) {
    throw new UsageError(`bad --concurrency '${String(values.concurrency)}': a whole number of requests from 1 to ${MAX_CONCURRENCY}`);
  }
  if (image !== undefined && images.length === 0) images = [image];

  const rows = new Map<string, InventoryTag>();
  const lines: string[] = [];
  const jsonLines = values.jsonl === true;
  const stats = await access.inventory(
    { imagesRepo, implementation: implementation as ImplementationChoice, mode: mode as (typeof MODES)[number], images, ...(image ? { image } : {}), withConfig: values['no-config'] !== true },
    signal ?? new AbortController().signal,
    (batch) => {
      for (const r of batch) rows.set(`${r.repository}:${r.tag}`, r);
    },
    () => {},
    { ...(concurrency !== undefined ? { concurrency } : {}), tls: registryTlsOverride(values, env) },
  );
  const all = [...rows.values()].sort((a, b) => a.repository.localeCompare(b.repository) || a.tag.localeCompare(b.tag, undefined, { numeric: true }));
  const shared = sharedWith(all);
  const failed = all.some((r) => r.error) ? EXIT.problems : EXIT.ok;
  const warnings = stats.warnings.map((w) => `warning: ${w}`).join('\n');
  if (jsonLines) {
    for (const r of all) lines.push(JSON.stringify(toJson(r, shared.get(r) ?? [])));
    return { stdout: lines.join('\n') + (lines.length ? '\n' : ''), stderr: warnings ? warnings + '\n' : '', code: failed };
  }
  if (values.json) {
    const body = {
      repository: imagesRepo,
      repositories: stats.repositories,
      tags: all.map((r) => toJson(r, shared.get(r) ?? [])),
      ...(stats.rateLimit ? { rateLimit: stats.rateLimit } : {}),
      warnings: stats.warnings,
    };
    return { stdout: JSON.stringify(body, null, 2) + '\n', code: failed };
  }
  const sum = totals(all);
  lines.push(`${imagesRepo}: ${sum.tags} tags, ${sum.manifests} distinct manifests, ${(sum.bytes / 1024 / 1024).toFixed(1)} MiB (${stats.requests} requests, ${(stats.durationMs / 1000).toFixed(1)} s)`);
  if (stats.rateLimit) lines.push(`  ${describeRateLimit(stats.rateLimit)}`);
  for (const r of all) {
    const flags = [r.kind !== 'image' ? r.kind : '', r.service ? `werf ${r.service}` : '', (shared.get(r) ?? []).length ? `shares digest with ${(shared.get(r) ?? []).join(',')}` : '', r.error ? `error: ${r.error}` : ''].filter(Boolean).join('; ');
    lines.push(`  ${r.repository}:${r.tag}  ${r.digest ? r.digest.slice(7, 19) : '?'}  ${r.created ?? r.pushed ?? ''}  ${r.image === undefined ? '' : r.image ?? '~'}${flags ? `  (${flags})` : ''}`);
  }
  return { stdout: lines.join('\n') + '\n', stderr: warnings ? warnings + '\n' : '', code: failed };
}
