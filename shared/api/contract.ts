import { z } from 'zod';
import { LISTING_LIMITS, MAX_CONCURRENCY, type CheckReport, type CheckStep, type CredentialsState } from '../credentials/types';
import type { InventoryProgress, InventoryStats, InventoryTag, ManifestDocument } from '../inventory/types';
import type { ImageConfigDocument } from '../inventory/image-config';
import type { CleanupInputs, CleanupProgress } from './cleanup';
import type { CleanupRunReport, RestoreItem, RestoreReport, RunHistoryEntry, RunProgress } from './cleanup-run';
import type { PlanKeepPolicy, PolicyConfig, StrategyLimit } from '../cleanup/types';
import { isValidRepository } from '../inventory/classify';
import { isImplementation, isImplementationChoice } from '../registry/implementation-registry';
import type { Implementation, ImplementationChoice } from '../registry/implementations';
import { WERF_VERSIONS } from '../werf-config/werf-version';
import type { MethodName } from './names';
import { appSettingsSchema, rememberedPreviewSchema, type AppSettings, type RememberedProject } from './remembered';
import { TAG_STRATEGIES } from '../naming/tags';
import type { EngineInfo, PublishProgress, PublishReport } from '../publish/types';
import type { AppInfo, DirectoryListing, ProjectView, RecentProject } from './types';
import type { CatalogRepository, CatalogResult, RegistriesView, TagCount } from './registries';

/**
 * The one contract between the renderer and the main process. Every transport, the preload allowlist,
 * the RPC host and the renderer client are typed from this object; no method name is written elsewhere.
 * `args` is a runtime schema checked by the host before a handler runs; `result` is type-only.
 * The method names themselves live in `names.ts` (dependency-free, for the preload); the
 * `satisfies` below makes this table list exactly those names.
 */
export interface MethodSpec<A extends z.ZodType, R> {
  args: A;
  result: R;
}

function method<R>() {
  return <A extends z.ZodType>(args: A): MethodSpec<A, R> => ({ args, result: undefined as unknown as R });
}

/** Exactly one spec per name in `names.ts`: a name without a spec, or a spec without a name, does not compile. */
export type MethodTable = { [M in MethodName]: MethodSpec<z.ZodType, unknown> };

const path = z.string().min(1).max(4096);
const registryHost = z.string().min(1).max(300).regex(/^[^\s/]+$/, 'a registry host[:port], without scheme or path');
// Checked against the registry of implementations when the call arrives, so one registered at
// runtime is accepted like a built-in.
const implementation = z.string().max(40).refine((v): v is Implementation => isImplementation(v), 'a known registry implementation');
const implementationChoice = z.string().max(40).refine((v): v is ImplementationChoice => isImplementationChoice(v), 'auto or a known registry implementation');
const httpsUrl = z.string().url().max(2000).regex(/^https?:\/\//, 'an http(s) URL');
const runId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a cleanup run id');
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
const manifestDigest = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/);
const envMap = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(200), z.string().max(10_000));

export const methods = {
  'app.info': method<AppInfo>()(z.object({}).strict()),
  'project.open': method<ProjectView>()(z.object({ path, env: envMap.optional() }).strict()),
  'project.setEnv': method<ProjectView>()(z.object({ env: envMap, werfVersion: z.enum(WERF_VERSIONS).optional() }).strict()),
  'project.close': method<null>()(z.object({}).strict()),
  /** Reads the open project again now (the Reload button); live changes arrive as `project.changed`. */
  'project.reload': method<ProjectView>()(z.object({}).strict()),
  'project.recent': method<RecentProject[]>()(z.object({}).strict()),
  'project.forget': method<RecentProject[]>()(z.object({ path }).strict()),
  /** What is remembered for a project folder (settings folder), null when nothing is. */
  'project.remembered': method<RememberedProject | null>()(z.object({ path }).strict()),
  /** Remembers a project's final-names inputs; its env overrides are remembered by project.setEnv. */
  'project.remember': method<null>()(z.object({ path, preview: rememberedPreviewSchema }).strict()),
  'app.settings': method<AppSettings>()(z.object({}).strict()),
  'app.saveSettings': method<AppSettings>()(appSettingsSchema),
  'dialog.pickFolder': method<{ path: string | null }>()(z.object({}).strict()),
  'credentials.state': method<CredentialsState>()(z.object({ registries: z.array(registryHost).max(20).optional() }).strict()),
  'credentials.save': method<CredentialsState>()(
    z
      .object({
        registry: registryHost,
        implementation,
        username: z.string().max(500).optional(),
        secret: z.string().min(1).max(20_000),
        persist: z.boolean().optional(),
      })
      .strict(),
  ),
  'credentials.remove': method<CredentialsState>()(z.object({ registry: registryHost }).strict()),
  'registry.saveSettings': method<CredentialsState>()(
    z
      .object({
        registry: registryHost,
        implementation: implementation.optional(),
        caFile: z.string().max(4096).optional(),
        insecureSkipVerify: z.boolean().optional(),
        plainHttp: z.boolean().optional(),
        apiBaseUrl: httpsUrl.optional(),
        sdkEndpoint: httpsUrl.optional(),
        concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
        maxTags: z.number().int().min(1).max(LISTING_LIMITS.maxMaxTags).optional(),
        maxListingMiB: z.number().int().min(1).max(LISTING_LIMITS.maxMaxMiB).optional(),
      })
      .strict(),
  ),
  'registry.check': method<CheckReport>()(
    z.object({ imagesRepo: z.string().min(1).max(500), implementation: implementationChoice }).strict(),
  ),
  'inventory.list': method<InventoryStats>()(
    z
      .object({
        imagesRepo: z.string().min(1).max(500),
        implementation: implementationChoice,
        mode: z.enum(['auto', 'multirepo', 'monorepo']),
        images: z.array(z.string().max(300).nullable()).max(5000),
        image: z.string().max(300).optional(),
        withConfig: z.boolean(),
      })
      .strict(),
  ),
  'inventory.manifest': method<ManifestDocument>()(
    z
      .object({
        imagesRepo: z.string().min(1).max(500),
        implementation: implementationChoice,
        // It becomes a URL path with the user's credential on it: only a valid repository name.
        repository: z.string().min(1).max(500).refine(isValidRepository, 'not a repository name'),
        digest: z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/),
      })
      .strict(),
  ),
  /** The image itself (config, layers, history) by digest; for an index, the platform child asked for. */
  'inventory.imageConfig': method<ImageConfigDocument>()(
    z
      .object({
        imagesRepo: z.string().min(1).max(500),
        implementation: implementationChoice,
        repository: z.string().min(1).max(500).refine(isValidRepository, 'not a repository name'),
        digest: manifestDigest,
        platform: manifestDigest.optional(),
      })
      .strict(),
  ),
  /** Everything the cleanup planner needs, gathered for the open project; the view plans from it. */
  'cleanup.inputs': method<CleanupInputs>()(
    z
      .object({
        imagesRepo: z.string().min(1).max(500),
        implementation: implementationChoice,
        mode: z.enum(['auto', 'multirepo', 'monorepo']),
        kube: z.discriminatedUnion('source', [
          z.object({ source: z.literal('off') }).strict(),
          z.object({ source: z.literal('all') }).strict(),
          // A kubeconfig context name: the characters kubectl accepts, never a path.
          z.object({ source: z.literal('context'), context: z.string().min(1).max(253).regex(/^[^\s/\\]+$/, 'a kubeconfig context name') }).strict(),
        ]),
        now: z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO-8601 time').optional(),
        metadataRepository: z.string().min(1).max(500).optional(),
      })
      .strict(),
  ),
  /**
   * Carries out the reviewed plan: the host plans again from the inputs of `inputsId` with the same
   * choices and refuses unless the id is `planId`. Progress: `cleanup.runProgress`.
   */
  'cleanup.execute': method<CleanupRunReport>()(
    z
      .object({
        inputsId: z.string().min(1).max(100),
        imagesRepo: z.string().min(1).max(500),
        implementation: implementationChoice,
        choices: z
          .object({
            policy: z.discriminatedUnion('kind', [
              z.object({ kind: z.literal('auto') }).strict(),
              z.object({ kind: z.literal('werf-git-history'), keepPolicies: z.array(z.custom<PlanKeepPolicy>(isObject)).max(1000).nullable().optional() }).strict(),
              z.object({ kind: z.literal('werf-tag-strategy'), limits: z.custom<{ gitBranch?: StrategyLimit; gitTag?: StrategyLimit; gitCommit?: StrategyLimit }>(isObject).optional() }).strict(),
              // The planner validates the policy itself (a bad one is a PolicyError), and the plan id must match.
              z.object({ kind: z.literal('config'), policy: z.custom<PolicyConfig>(isObject), reason: z.string().max(4000) }).strict(),
            ]),
            now: z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO-8601 time').optional(),
            overrides: z.array(z.object({ repository: z.string().min(1).max(500), tag: z.string().min(1).max(128) }).strict()).max(1_000_000).optional(),
            proceedWithoutUnreachableKube: z.boolean().optional(),
          })
          .strict(),
        planId: z.string().regex(/^sha256:[0-9a-f]{64}$/),
      })
      .strict(),
  ),
  /** Re-creates deleted tags of a past run (all, or the named ones). Progress: `cleanup.restoreProgress`. */
  'cleanup.restore': method<RestoreReport>()(
    z.object({ runId, tags: z.array(z.object({ repository: z.string().min(1).max(500), tag: z.string().min(1).max(128) }).strict()).max(1_000_000).optional() }).strict(),
  ),
  /** Past runs, newest first, from the audit logs in the settings folder. */
  'cleanup.history': method<RunHistoryEntry[]>()(z.object({}).strict()),
  /** One past run's results, from its audit log. */
  'cleanup.run': method<CleanupRunReport>()(z.object({ runId }).strict()),
  'fs.listDirectory': method<DirectoryListing>()(z.object({ path: path.optional() }).strict()),
  // publish (issue 13): the engine card, and build + push of the open project's images.
  'publish.engine': method<EngineInfo>()(z.object({}).strict()),
  /** Builds and pushes the open project's Dockerfile images under the preview's names. Progress: `publish.progress`. */
  'publish.run': method<PublishReport>()(
    z
      .object({
        imagesRepo: z.string().min(1).max(500),
        implementation: implementationChoice,
        mode: z.enum(['auto', 'multirepo', 'monorepo']),
        tags: z.array(z.object({ strategy: z.enum(TAG_STRATEGIES), raw: z.string().max(1000) }).strict()).min(1).max(50),
        images: z.array(z.string().max(300).nullable()).max(5000).optional(),
        createRepositories: z.boolean().optional(),
        insecureRegistry: z.boolean().optional(),
      })
      .strict(),
  ),
  // The Registries page and catalog browsing (issue 15).
  /** Every registry Stowage knows of: docker config, saved credentials and settings, entries added here, recent images repos. */
  'registries.list': method<RegistriesView>()(z.object({}).strict()),
  /** Adds (or edits the implementation of) an entry of Stowage's own; the docker config is never written. */
  'registries.add': method<RegistriesView>()(z.object({ registry: registryHost, implementation: implementation.optional() }).strict()),
  /** Forgets what Stowage keeps for a registry (its entry, settings, saved credential, last test, recent repos); never the docker config. */
  'registries.remove': method<RegistriesView>()(z.object({ registry: registryHost }).strict()),
  /** A registry's repositories, streamed as `catalog.repositories` while the listing runs. */
  'catalog.list': method<CatalogResult>()(
    z
      .object({
        registry: registryHost,
        implementation: implementationChoice,
        namespace: z.string().max(300).regex(/^[A-Za-z0-9][A-Za-z0-9._\/-]*$/, 'a namespace, owner, project path or project/repository').optional(),
      })
      .strict(),
  ),
  /** Counts the tags of some repositories (the rows in view); each count arrives as `catalog.tagCounts` too. */
  'catalog.tagCounts': method<TagCount[]>()(
    z
      .object({
        registry: registryHost,
        implementation: implementationChoice,
        repositories: z.array(z.string().min(1).max(500).refine(isValidRepository, 'not a repository name')).min(1).max(200),
      })
      .strict(),
  ),
} as const satisfies MethodTable;

/**
 * Events a running call sends to the client that made it, and only while it runs: never after its
 * result or after it was cancelled. The host stamps each with the call's id (`EventMessage.call`),
 * so a store tells the events of the call it is waiting for from those of a call it replaced.
 * A long call reports progress through its own event here; there is no generic progress event.
 */
export interface CallEvents {
  /** One step of a running `registry.check`. */
  'check.step': { step: CheckStep };
  /** Rows of a running `inventory.list` as they become known, in the inventory engine's batches. */
  'inventory.rows': { rows: InventoryTag[] };
  'inventory.progress': { progress: InventoryProgress };
  /** Phases of a running `cleanup.inputs`. */
  'cleanup.progress': { progress: CleanupProgress };
  /** A running `cleanup.execute`: each finished tag, and rate-limit waits. */
  'cleanup.runProgress': { progress: RunProgress };
  /** A running `cleanup.restore`: each finished tag. */
  'cleanup.restoreProgress': { item: RestoreItem; done: number; total: number };
  /** A running `publish.run`: the plan, each image's phase, build steps and log lines, layer progress, pushed names. */
  'publish.progress': { progress: PublishProgress };
  /** A running `catalog.list`: the next repositories, in the registry's order. */
  'catalog.repositories': { repositories: CatalogRepository[]; listed: number };
  /** A running `catalog.tagCounts`: counts as they finish. */
  'catalog.tagCounts': { counts: TagCount[] };
}

/** Events that belong to no call, sent to every connected client (`EventMessage.call` is null). */
export interface BroadcastEvents {
  /**
   * The open project changed on disk or in git (a saved werf.yaml, partial, file read through
   * `.Files` or Dockerfile; a commit, checkout or `git add`) and was read again.
   */
  'project.changed': ProjectView;
  /** A second launch of the desktop app named a folder: the running window opens it. */
  'app.openFolder': { path: string };
}

export type Events = CallEvents & BroadcastEvents;
export type CallEventName = keyof CallEvents;
export type BroadcastEventName = keyof BroadcastEvents;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E];

export type Contract = typeof methods;
export type ArgsOf<M extends MethodName> = z.input<Contract[M]['args']>;
export type ResultOf<M extends MethodName> = Contract[M]['result'];
export { METHOD_NAMES, isMethodName, type MethodName } from './names';
