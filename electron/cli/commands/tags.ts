import { progressLine } from '../progress';
import { LISTING_LIMITS, MAX_CONCURRENCY } from '../../../shared/credentials/types';
import { digestKey, groupByDigest, siblings, totals } from '../../../shared/inventory/summarize';
import { compareTags, compareText } from '../../../shared/inventory/order';
import { describeRateLimit } from '../../../shared/inventory/rate-limit';
import type { InventoryTag } from '../../../shared/inventory/types';
import { implementationIds, isImplementationChoice } from '../../../shared/registry/implementation-registry';
import type { ImplementationChoice } from '../../../shared/registry/implementations';
import type { RegistryAccess } from '../../services/registry-access';
import { EXIT, escapeControls as esc, parseEnvPairs, requireOne, UsageError, type CommandOutput } from '../output';
import { registryTlsOverride } from '../registry-flags';
import { loadReadableProject } from './load';

const MODES = ['auto', 'multirepo', 'monorepo'] as const;

type Groups = Map<string, InventoryTag[]>;

function groupOf(groups: Groups, row: InventoryTag): InventoryTag[] | undefined {
  const key = digestKey(row);
  return key === null ? undefined : groups.get(key);
}

/**
 * One tag as documented. The tags on its digest are told by count (`tagsOnDigest`, itself
 * included) and a bounded sample (`sharedWith`); the full list is once per digest in `digests`.
 */
function toJson(row: InventoryTag, groups: Groups) {
  const group = groupOf(groups, row);
  const shared = siblings(group, row);
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
    tagsOnDigest: group?.length ?? 0,
    sharedWith: shared.names,
    kind: row.kind,
    ...(row.service ? { service: row.service } : {}),
    ...(row.signatureOf ? { signatureOf: row.signatureOf } : {}),
    ...(row.platforms ? { platforms: row.platforms } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

/** Every manifest once: `repository@digest` → its repository, digest, size and every tag on it. */
function digestsJson(groups: Groups): Record<string, { repository: string; digest: string; size: number | null; tags: string[] }> {
  const out: Record<string, { repository: string; digest: string; size: number | null; tags: string[] }> = {};
  for (const [key, group] of groups) {
    const first = group[0]!;
    out[key] = { repository: first.repository, digest: first.digest!, size: first.size, tags: group.map((t) => t.tag) };
  }
  return out;
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
  if (!isImplementationChoice(implementation)) throw new UsageError(`unknown implementation "${implementation}"; use auto or one of ${implementationIds().join(', ')}`);
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
  const maxTags = values['max-tags'] === undefined ? undefined : Number(values['max-tags']);
  if (maxTags !== undefined && !(Number.isInteger(maxTags) && maxTags >= 1 && maxTags <= LISTING_LIMITS.maxMaxTags)) {
    throw new UsageError(`bad --max-tags '${String(values['max-tags'])}': a whole number of tags from 1 to ${LISTING_LIMITS.maxMaxTags}`);
  }
  if (image !== undefined && images.length === 0) images = [image];

  const rows = new Map<string, InventoryTag>();
  const lines: string[] = [];
  const jsonLines = values.jsonl === true;
  const progress = progressLine(process.stderr, env);
  const stats = await access.inventory(
    { imagesRepo, implementation: implementation as ImplementationChoice, mode: mode as (typeof MODES)[number], images, ...(image ? { image } : {}), withConfig: values['no-config'] !== true },
    signal ?? new AbortController().signal,
    (batch) => {
      for (const r of batch) rows.set(`${r.repository}:${r.tag}`, r);
    },
    (p) => progress.update(`${imagesRepo}: ${p.listed} tags listed${p.phase === 'listing' ? '' : `, ${p.inspected} inspected`}…`),
    { ...(concurrency !== undefined ? { concurrency } : {}), ...(maxTags !== undefined ? { maxTags } : {}), tls: registryTlsOverride(values, env) },
  ).finally(() => progress.done());
  const all = [...rows.values()].sort((a, b) => compareText(a.repository, b.repository) || compareTags(a.tag, b.tag));
  const groups = groupByDigest(all);
  // A partial listing is a failure for scripts: nothing may act on it as if it were the whole repository.
  const failed = all.some((r) => r.error) || !stats.complete ? EXIT.problems : EXIT.ok;
  const warnings = stats.warnings.map((w) => `warning: ${esc(w)}`).join('\n');
  if (jsonLines) {
    for (const r of all) lines.push(JSON.stringify(toJson(r, groups)));
    return { stdout: lines.join('\n') + (lines.length ? '\n' : ''), stderr: warnings ? warnings + '\n' : '', code: failed };
  }
  if (values.json) {
    const body = {
      repository: imagesRepo,
      repositories: stats.repositories,
      complete: stats.complete,
      ...(stats.truncated ? { truncated: stats.truncated } : {}),
      tags: all.map((r) => toJson(r, groups)),
      digests: digestsJson(groups),
      ...(stats.rateLimit ? { rateLimit: stats.rateLimit } : {}),
      warnings: stats.warnings,
    };
    return { stdout: JSON.stringify(body, null, 2) + '\n', code: failed };
  }
  const sum = totals(all);
  lines.push(`${esc(imagesRepo)}: ${sum.tags} tags, ${sum.manifests} distinct manifests, ${(sum.bytes / 1024 / 1024).toFixed(1)} MiB (${stats.requests} requests, ${(stats.durationMs / 1000).toFixed(1)} s)`);
  if (stats.rateLimit) lines.push(`  ${describeRateLimit(stats.rateLimit)}`);
  for (const t of stats.truncated ?? []) lines.push(`  PARTIAL: ${esc(t.message)}`);
  for (const r of all) {
    const shared = siblings(groupOf(groups, r), r, 3);
    const sharing = shared.others > 0 ? `shares digest with ${shared.others === shared.names.length ? '' : `${shared.others} other tags: `}${shared.names.map((n) => esc(n)).join(',')}${shared.others > shared.names.length ? ',…' : ''}` : '';
    const flags = [r.kind !== 'image' ? r.kind : '', r.service ? `werf ${r.service}` : '', sharing, r.error ? `error: ${esc(r.error)}` : ''].filter(Boolean).join('; ');
    const image = r.image === undefined ? '' : r.image === null ? '~' : esc(r.image);
    lines.push(`  ${esc(r.repository)}:${esc(r.tag)}  ${r.digest ? r.digest.slice(7, 19) : '?'}  ${r.created ?? r.pushed ?? ''}  ${image}${flags ? `  (${flags})` : ''}`);
  }
  return { stdout: lines.join('\n') + '\n', stderr: warnings ? warnings + '\n' : '', code: failed };
}
