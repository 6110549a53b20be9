import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CleanupInputNote, CleanupInputs, CleanupInputsRequest, CleanupProgress } from '../../../shared/api/cleanup';
import { UserError } from '../../../shared/api/result';
import { planCleanup } from '../../../shared/cleanup/planner';
import { planInputFor, type PlanChoices, type PolicyChoice } from '../../../shared/cleanup/plan-input';
import { parsePolicyFile } from '../../../shared/cleanup/policy-file';
import { normalizeRegistryHost } from '../../../shared/cleanup/reference';
import type { CleanupTag, DeleteCapability, GitSnapshot, KubeUsage, PlanInput, PlanOutcome, WerfMetadata } from '../../../shared/cleanup/types';
import type { InventoryTag } from '../../../shared/inventory/types';
import { parseImagesRepo } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import { implementationInfo } from '../../../shared/registry/implementation-registry';
import { parseWerfConfig } from '../../../shared/werf-config';
import type { WerfCleanup } from '../../../shared/werf-config/types';
import { loadProjectIsolated } from '../project/isolated-load';
import { unreadableConfig } from '../project/load-project';
import type { RegistryAccess } from '../registry-access';
import { readGitSnapshot, type GitSnapshotResult } from './git-history';
import { scanKubeUsage, type KubeScanRequest } from './kube-usage';
import { CUSTOM_TAG_PREFIX, CUSTOM_TAG_STAGE_LABEL, CUSTOM_TAG_TAG_LABEL, parseWerfMetadata, readWerfMetadataVia, V11_RECORD_PREFIX, V11_SIGNATURE_LABEL, type WerfMetadataRead } from './werf-metadata';

/**
 * Gathers everything the cleanup planner needs — the whole inventory, the project's git history,
 * werf's commit metadata, werf.yaml's `meta.cleanup`, the clusters' images — once, for the app's
 * Cleanup view and for `stowage cleanup`, so both plan from the same inputs and an exported plan
 * equals the CLI's for the same `now` and policy.
 */

/** What the registry can delete, as its catalogue entry declares it (registry-apis.md §0.2). */
function capabilityFor(implementation: Implementation): DeleteCapability {
  const { capabilities } = implementationInfo(implementation);
  return { tagDelete: capabilities.deleteTagWithoutDigest, digestDelete: capabilities.deleteManifestByDigest };
}

/** The project folder or its werf.yaml cannot be used: bad input (the CLI's exit 2), not a failed plan. */
export class ProjectInputError extends UserError {}

export interface GatherDeps {
  /** The project folder (werf.yaml and its git repository); null plans from the registry alone. */
  projectDir: string | null;
  access: RegistryAccess;
  signal: AbortSignal;
  onProgress?: (p: CleanupProgress) => void;
  /** Replaced in tests only through real collaborators' options (kubeconfig paths, environment). */
  kube?: Omit<KubeScanRequest, 'context'> & { env?: Readonly<Record<string, string | undefined>>; homeDir?: string };
  /** The time to plan at when the request gives none. */
  clock?: () => Date;
}

export async function gatherCleanupInputs(request: CleanupInputsRequest, deps: GatherDeps): Promise<CleanupInputs> {
  const started = Date.now();
  const notes: CleanupInputNote[] = [];
  const progress = (p: CleanupProgress): void => deps.onProgress?.(p);

  // werf.yaml: the images (to map tags and records) and meta.cleanup.
  let images: (string | null)[] = [];
  let cleanup: WerfCleanup | undefined;
  if (deps.projectDir !== null) {
    let view;
    try {
      // The project is untrusted input: rendered in the project worker under the app's limits,
      // never on this (the app's main) thread.
      view = await loadProjectIsolated(deps.projectDir, { signal: deps.signal });
    } catch (e) {
      if (deps.signal.aborted) throw e;
      throw new ProjectInputError({ code: 'project-unreadable', message: `The project folder ${deps.projectDir} could not be read: ${(e as Error).message}`, hint: 'Give --project the folder that holds werf.yaml.' });
    }
    // werf refuses to clean up with a werf.yaml it cannot render, and so does Stowage: without the
    // config's images and keep policies, tags meant to stay could not be told apart.
    const unusable = unreadableConfig(view) ?? (view.rendered === null ? (view.problems.find((p) => p.severity === 'error') ?? null) : null);
    if (unusable) {
      const where = unusable.location ? `${unusable.location.file}:${unusable.location.line}: ` : '';
      throw new ProjectInputError({ code: unusable.code, message: `${where}${unusable.message}`, hint: unusable.hint ?? 'Fix werf.yaml so that it renders (`stowage render` shows it), then plan again.' });
    }
    images = view.images.filter((i) => i.final && i.kind !== 'artifact').map((i) => i.name);
    if (view.rendered && view.configFile) {
      const parsed = parseWerfConfig(view.rendered.text, { file: view.configFile });
      cleanup = parsed.config.meta?.cleanup;
      const bad = parsed.problems.find((p) => p.severity === 'error' && p.code?.startsWith('keep-policy'));
      if (bad) {
        const where = bad.location ? `${bad.location.file}:${bad.location.line}:${bad.location.column}: ` : '';
        throw new ProjectInputError({ code: 'bad-keep-policy', message: `${where}${bad.message}`, ...(bad.hint ? { hint: bad.hint } : {}) });
      }
    }
  }

  // The whole repository, werf and non-werf tags alike, with labels (never a filtered view).
  progress({ phase: 'inventory', done: 0, total: null });
  const rows = new Map<string, InventoryTag>();
  const stats = await deps.access.inventory(
    { imagesRepo: request.imagesRepo, implementation: request.implementation, mode: request.mode, images, withConfig: true },
    deps.signal,
    (batch) => {
      for (const r of batch) rows.set(`${r.repository}\0${r.tag}`, r);
    },
    (p) => progress({ phase: 'inventory', done: p.inspected, total: p.total }),
  );
  // A plan is made from the whole repository or not at all: in a listing that stopped early (a
  // cap, a failed page) every tag it missed would look absent, and a digest one of them still
  // points to could be planned for deletion.
  if (!stats.complete) {
    const why = (stats.truncated ?? []).map((t) => t.message).join('; ') || 'the listing did not finish';
    throw new UserError({
      code: 'listing-incomplete',
      message: `The tag listing of ${request.imagesRepo} is incomplete (${why}), so no cleanup plan is made from it.`,
      hint: 'Raise the registry\'s "Most tags per listing" connection setting or fix what stopped the listing, then plan again.',
    });
  }
  const tags: CleanupTag[] = [...rows.values()].map(toCleanupTag);
  for (const w of stats.warnings) notes.push({ source: 'inventory', severity: 'warning', code: 'inventory-warning', message: w });

  // werf's records live in the same repository (v1.2+/v2 `--repo`); a v1.1 stages storage elsewhere is not read.
  progress({ phase: 'werf-metadata', done: 0, total: null });
  const metadataRead = await readMetadata([...rows.values()], images, parseImagesRepo(request.imagesRepo).registry, request, deps);
  const werfMetadata: WerfMetadata | null = metadataRead.records.length > 0 || metadataRead.unreadable.length > 0 ? { records: metadataRead.records, unreadable: metadataRead.unreadable, formats: metadataRead.formats } : null;
  if (metadataRead.foreign.length > 0) {
    notes.push({ source: 'werf-metadata', severity: 'info', code: 'metadata-foreign', message: `${metadataRead.foreign.length} werf metadata record(s) name images werf.yaml does not define; they are ignored.` });
  }

  // git: origin's branches and tags, the graph, and werf git-commit tags' commits.
  let git: GitSnapshot | null = null;
  if (deps.projectDir !== null) {
    progress({ phase: 'git', done: 0, total: null });
    const commitsToCheck = tags.filter((t) => t.labels?.['werf-tag-strategy'] === 'git-commit').map((t) => t.labels?.['werf-image-tag'] ?? t.tag);
    const r: GitSnapshotResult = await readGitSnapshot(deps.projectDir, { signal: deps.signal, commitsToCheck });
    if (!r.ok) {
      throw new UserError({ code: 'git-unreadable', message: `The project's git repository could not be read: ${r.error.message}`, hint: r.error.hint ?? 'werf cleans up by git history; open the project folder of a git clone.' });
    }
    git = r.snapshot;
  } else {
    notes.push({ source: 'git', severity: 'warning', code: 'git-none', message: 'No project folder: git is not read, so werf tags that depend on it are kept.' });
  }

  // Kubernetes: every context, one context, or off.
  let kube: KubeUsage | null = null;
  let kubeSummary: CleanupInputs['sources']['kube'] = null;
  if (request.kube.source !== 'off') {
    progress({ phase: 'kube', done: 0, total: null });
    const scan = await scanKubeUsage(
      { ...(deps.kube?.kubeconfig ? { kubeconfig: deps.kube.kubeconfig } : {}), ...(deps.kube?.namespaceOnly ? { namespaceOnly: true } : {}), ...(request.kube.source === 'context' ? { context: request.kube.context } : {}) },
      {
        signal: deps.signal,
        ...(deps.kube?.env ? { env: deps.kube.env } : {}),
        ...(deps.kube?.homeDir ? { homeDir: deps.kube.homeDir } : {}),
        onProgress: (done, total, context) => progress({ phase: 'kube', done, total, message: context }),
      },
    );
    kube = { contexts: scan.contexts, uses: scan.uses, unreachable: scan.unreachable };
    kubeSummary = { contexts: scan.contexts, unreachable: scan.unreachable, uses: scan.uses.length };
    for (const u of scan.unreachable) {
      notes.push({ source: 'kube', severity: 'warning', code: 'kube-unreachable', message: `Context ${u.context} could not be read: ${u.reason}`, hint: 'Tags it might use are kept until you choose to plan without it.' });
    }
  }

  const parsedRepo = parseImagesRepo(request.imagesRepo);
  const input: PlanInput = {
    now: request.now ?? (deps.clock?.() ?? new Date()).toISOString(),
    repository: request.imagesRepo,
    implementation: stats.implementation,
    registryHost: normalizeRegistryHost(parsedRepo.registry),
    capability: capabilityFor(stats.implementation),
    tags,
    git,
    werfMetadata,
    kube,
    policy: 'auto',
    switches: switchesOf(cleanup),
  };
  progress({ phase: 'done', done: 1, total: 1 });
  return {
    inputsId: randomUUID(),
    input,
    keepPolicies: cleanup && cleanup.keepPolicies.length > 0 ? cleanup.keepPolicies.map((p) => ({ ...p })) : null,
    notes,
    sources: {
      tags: tags.length,
      git: git ? { commits: git.commits.length, refs: git.refs.length, shallow: git.shallow, hasOrigin: git.hasOrigin, ...(git.lastFetch ? { lastFetch: git.lastFetch } : {}) } : null,
      werfMetadata: werfMetadata ? { formats: werfMetadata.formats, records: werfMetadata.records.length, ...(metadataRead.repository ? { repository: metadataRead.repository } : {}) } : null,
      kube: kubeSummary,
    },
    durationMs: Date.now() - started,
  };
}

/**
 * werf's records from the inventory rows: v1.2+ `meta-*` names say everything; v1.1 records and
 * custom-tag records carry their link in labels the inventory does not keep, so those repositories
 * are read again by the metadata reader — and so is a v1.1 stages storage named in the request.
 */
async function readMetadata(rows: InventoryTag[], images: (string | null)[], registry: string, request: CleanupInputsRequest, deps: GatherDeps): Promise<WerfMetadataRead> {
  const lacksLabels = (r: InventoryTag): boolean =>
    !r.error &&
    ((r.tag.startsWith(V11_RECORD_PREFIX) && !r.labels?.[V11_SIGNATURE_LABEL]) ||
      (r.tag.startsWith(CUSTOM_TAG_PREFIX) && !(r.labels?.[CUSTOM_TAG_TAG_LABEL] && r.labels?.[CUSTOM_TAG_STAGE_LABEL])));
  const repos = [...new Set(rows.filter(lacksLabels).map((r) => r.repository))].sort();
  const fromNames = parseWerfMetadata(rows.filter((r) => !repos.includes(r.repository)), images);
  const addresses = repos.map((repository) => `${registry}/${repository}`);
  if (request.metadataRepository && !addresses.includes(request.metadataRepository)) addresses.push(request.metadataRepository);
  if (addresses.length === 0) return fromNames;
  const merged: WerfMetadataRead = { ...fromNames, records: [...fromNames.records], unreadable: [...fromNames.unreadable], formats: [...fromNames.formats], foreign: [...fromNames.foreign], malformed: [...fromNames.malformed] };
  for (const repository of addresses) {
    const read = await readWerfMetadataVia(deps.access, { repository, implementation: request.implementation, images }, deps.signal);
    merged.records.push(...read.records);
    for (const u of read.unreadable) if (!merged.unreadable.some((x) => x.image === u.image)) merged.unreadable.push(u);
    for (const f of read.formats) if (!merged.formats.includes(f)) merged.formats.push(f);
    merged.foreign.push(...read.foreign);
    merged.malformed.push(...read.malformed);
    merged.inspected += read.inspected;
    merged.repository ??= read.repository;
  }
  merged.formats.sort();
  return merged;
}

function toCleanupTag(r: InventoryTag): CleanupTag {
  const t: CleanupTag = { repository: r.repository, tag: r.tag, digest: r.digest, mediaType: r.mediaType, kind: r.kind, size: r.size };
  if (r.created !== undefined) t.created = r.created;
  if (r.pushed !== undefined) t.pushed = r.pushed;
  if (r.labels !== undefined) t.labels = r.labels;
  if (r.image !== undefined) t.image = r.image;
  if (r.service !== undefined) t.service = r.service;
  if (r.signatureOf !== undefined) t.signatureOf = r.signatureOf;
  if (r.platforms !== undefined) t.platforms = r.platforms.map((p) => ({ digest: p.digest, ...(p.size !== undefined ? { size: p.size } : {}) }));
  if (r.error !== undefined) t.error = r.error;
  if (r.pending) t.pending = true;
  return t;
}

function switchesOf(c: WerfCleanup | undefined): PlanInput['switches'] {
  if (!c) return {};
  return {
    ...(c.disable !== undefined ? { disable: c.disable } : {}),
    ...(c.disableKubernetesBasedPolicy !== undefined ? { disableKubernetesBasedPolicy: c.disableKubernetesBasedPolicy } : {}),
    ...(c.disableGitHistoryBasedPolicy !== undefined ? { disableGitHistoryBasedPolicy: c.disableGitHistoryBasedPolicy } : {}),
    ...(c.disableBuiltWithinLastNHoursPolicy !== undefined ? { disableBuiltWithinLastNHoursPolicy: c.disableBuiltWithinLastNHoursPolicy } : {}),
    ...(c.keepImagesBuiltWithinLastNHours !== undefined ? { keepImagesBuiltWithinLastNHours: c.keepImagesBuiltWithinLastNHours } : {}),
  };
}

export { planInputFor, type PlanChoices, type PolicyChoice } from '../../../shared/cleanup/plan-input';

export function makePlan(inputs: CleanupInputs, choices: PlanChoices): PlanOutcome {
  return planCleanup(planInputFor(inputs, choices));
}

/** Reads a policy file (rules or werf-tag-strategy limits); errors name the file and line. */
export async function readPolicyFile(path: string): Promise<PolicyChoice> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UserError({ code: 'policy-file-unreadable', message: `The policy file ${path} could not be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, hint: 'Give --policy werf-git-history, werf-tag-strategy, or the path of a policy file.' });
  }
  const parsed = parsePolicyFile(text, path);
  if (!parsed.ok) throw new UserError({ code: 'bad-policy-file', message: parsed.error.message, ...(parsed.error.hint ? { hint: parsed.error.hint } : {}) });
  if (parsed.policy.policy === 'werf-tag-strategy') {
    const { policy: _ignored, ...limits } = parsed.policy;
    return { kind: 'werf-tag-strategy', limits };
  }
  return { kind: 'config', policy: parsed.policy, reason: `Rules from ${path}.` };
}
