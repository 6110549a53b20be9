import type { TagKind, WerfServiceKind } from '../inventory/types';
import type { KeepPolicyLimit, ReferenceMatcher, SourceLocation } from '../werf-config/types';

/**
 * The cleanup planner's inputs and outputs. The planner is a pure function of these (plus an
 * explicit `now`), so the CLI, the main process and the renderer compute the same plan, and the
 * plan id can name exactly what a user reviewed. Everything here is plain JSON (no Map, no Date)
 * so it crosses the RPC boundary unchanged.
 *
 * This file is shared with the cleanup inputs + view work: changes are additive only.
 */

// ─── Inventory ──────────────────────────────────────────────────────────────────────────────────

/**
 * One tag of the images repo as the planner needs it: a structural subset of the inventory's
 * `InventoryTag`, so an inventory row can be passed as is. Always the WHOLE repository — werf and
 * non-werf tags, service tags, error rows — never a filtered view: shared digests are found here.
 */
export interface CleanupTag {
  repository: string;
  tag: string;
  /** null when the registry could not say; such rows are kept. */
  digest: string | null;
  mediaType?: string | null;
  kind: TagKind;
  size: number | null;
  /** ISO creation time from the image config. */
  created?: string;
  /** ISO push time where the registry records it. */
  pushed?: string;
  labels?: Record<string, string>;
  /** werf.yaml image (null = nameless); absent when unknown. */
  image?: string | null;
  service?: WerfServiceKind;
  /** For `sha256-<hex>.sig/.att/.sbom`: the subject digest. */
  signatureOf?: string;
  /** For an index: its children (by digest). */
  platforms?: { digest: string; size?: number }[];
  /** A per-tag failure: the row is kept. */
  error?: string;
  /** Not inspected yet: the planner refuses to delete it. */
  pending?: boolean;
}

/**
 * The blobs (config + layers) of one manifest, for "bytes freed". Optional: without it the
 * planner estimates from tag sizes and says so (`summary.bytesFreedExact: false`).
 */
export interface ManifestBlobs {
  repository: string;
  digest: string;
  blobs: { digest: string; size: number }[];
}

// ─── Registry capability ────────────────────────────────────────────────────────────────────────

/**
 * What the registry can delete (registry-apis.md §0.2). The planner never names registries: the
 * caller maps the implementation to this.
 */
export interface DeleteCapability {
  /** Can remove ONE tag and leave its manifest (and the other tags on it) in place. */
  tagDelete: boolean;
  /** Can delete a manifest by digest (all its tags go). */
  digestDelete: boolean;
}

// ─── Git ────────────────────────────────────────────────────────────────────────────────────────

export interface GitRef {
  kind: 'branch' | 'tag';
  /** Without the prefix: `feature/login` for `refs/remotes/origin/feature/login`, `v1.0` for `refs/tags/v1.0`. */
  name: string;
  /** The commit the ref points to (annotated tags peeled). */
  commit: string;
  /** ISO: the head commit's committer date for branches; the tagger date for annotated tags, else the commit's. */
  date: string;
}

export interface GitCommit {
  hash: string;
  parents: string[];
  /** ISO committer date. */
  date: string;
}

/** The project's repository as the planner sees it (read with the git CLI). */
export interface GitSnapshot {
  /** Branches under `refs/remotes/origin/*` (not `origin/HEAD`) and tags under `refs/tags/*`. */
  refs: GitRef[];
  /** Every commit reachable from those refs, with parents, for breadth-first walks. */
  commits: GitCommit[];
  /**
   * Existence of commits named by tags (`werf-tag-strategy=git-commit`) that may not be reachable
   * from any ref: hash → exists in the object database.
   */
  commitExists?: Record<string, boolean>;
  /** `.git/shallow` exists: history walks stop early, so more can look unreached. */
  shallow: boolean;
  /** No remote named `origin`: there are no references to scan. */
  hasOrigin: boolean;
  /** ISO mtime of FETCH_HEAD, when the repository was ever fetched. */
  lastFetch?: string;
  /** HEAD commit, informational. */
  head?: string;
}

// ─── werf metadata (read from the registry by the cleanup inputs work) ──────────────────────────

export type WerfMetadataFormat =
  /** v1.1 stages storage: `image-metadata-by-commit-<image>-<commit>` records with a content signature. */
  | 'v1.1-image-metadata-by-commit'
  /** v1.2+/v2: `meta-*` tags binding an image + commit to a stage id (`<digest>-<ms>`). */
  | 'v1.2-meta';

/** One commit ↔ image binding werf wrote when it published. */
export interface WerfMetadataRecord {
  format: WerfMetadataFormat;
  /** werf.yaml image name; null = nameless (`__nameless__` / `~`). */
  image: string | null;
  commit: string;
  /**
   * What ties the record to tags: v1.1 the `werf-content-signature` label value; v1.2+ the stage id
   * (`<digest>-<ms>`), which is also the content-based tag name.
   */
  signature: string;
  /** v1.2+ custom tags bound to this stage (`custom-tag-meta-*`), when known. */
  tags?: string[];
  /** The service tag the record was read from, for "why". */
  source?: string;
}

export interface WerfMetadata {
  records: WerfMetadataRecord[];
  /** Images whose metadata could not be read (their tags are kept with this reason). */
  unreadable: { image: string | null; reason: string }[];
  /** Formats seen in the repository. */
  formats: WerfMetadataFormat[];
}

// ─── Kubernetes ─────────────────────────────────────────────────────────────────────────────────

/** One container image found in a cluster, normalised (see `parseImageReference` in reference.ts). */
export interface KubeImageUse {
  /** The image string as written in the workload. */
  image: string;
  /** Normalised registry host: `index.docker.io` for Docker Hub. */
  registry: string;
  /** Normalised path: `library/nginx` for `nginx`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** `context/namespace/Kind/name` for "why is this kept". */
  where: string;
}

export interface KubeUsage {
  /** Contexts scanned successfully. */
  contexts: string[];
  uses: KubeImageUse[];
  /** Contexts that could not be listed. */
  unreachable: { context: string; reason: string }[];
  /**
   * The user chose to plan despite unreachable contexts: the plan warns on every tag that protection
   * could have kept. When false and a context is unreachable, the plan refuses to delete anything.
   */
  proceedWithoutUnreachable?: boolean;
}

// ─── Policies ───────────────────────────────────────────────────────────────────────────────────

export type CleanupPolicyName = 'werf-tag-strategy' | 'werf-git-history' | 'rules';

/** A keepPolicy as werf.yaml writes it; `source` only when it came from a file. */
export interface PlanKeepPolicy {
  references: {
    branch?: ReferenceMatcher;
    tag?: ReferenceMatcher;
    limit?: KeepPolicyLimit;
  };
  imagesPerReference?: KeepPolicyLimit;
  source?: SourceLocation;
}

export interface WerfGitHistoryPolicy {
  policy: 'werf-git-history';
  /** null / absent = werf's defaults (werf.md §6.3). */
  keepPolicies?: PlanKeepPolicy[] | null;
  /** Which werf's defaults: v1.2+ adds `main` to the last default policy. Default 'v2'. */
  defaultsFor?: 'v1.1' | 'v2';
}

/** werf's `--git-*-strategy-limit/-expiry-days`; -1 / absent = no limit. */
export interface StrategyLimit {
  limit?: number;
  expiryDays?: number;
}

export interface WerfTagStrategyPolicy {
  policy: 'werf-tag-strategy';
  gitBranch?: StrategyLimit;
  gitTag?: StrategyLimit;
  gitCommit?: StrategyLimit;
}

/**
 * The `rules` policy (policy-file.ts documents the YAML). Precedence, first match wins:
 * protect > keep regex > keep younger than > keep newest N > keep highest semver N > delete regex
 * > default (delete when `delete` is absent, else keep).
 */
export interface RulesPolicy {
  policy: 'rules';
  /** Exact tag names never deleted. */
  protect?: string[];
  /** Go regexes: matching tags are kept. */
  keep?: string[];
  /** Go regexes: only matching tags may be deleted (absent = every tag is a candidate). */
  delete?: string[];
  /** Keep the N newest tags per image (by created, else pushed). */
  keepNewest?: number;
  /** Keep tags younger than a Go duration (`168h`), by created or pushed time. */
  keepYoungerThan?: { duration: string; by: 'created' | 'pushed' };
  /** Keep the N highest semver tags per image. */
  keepSemver?: number;
  /** Where each rule was written (policy files), for line-numbered "why". */
  sources?: Partial<Record<'protect' | 'keep' | 'delete' | 'keepNewest' | 'keepYoungerThan' | 'keepSemver', SourceLocation>>;
}

export type PolicyConfig = WerfGitHistoryPolicy | WerfTagStrategyPolicy | RulesPolicy;

/** werf.yaml `meta.cleanup` switches that apply to every policy. */
export interface CleanupSwitches {
  disable?: boolean;
  disableKubernetesBasedPolicy?: boolean;
  disableGitHistoryBasedPolicy?: boolean;
  disableBuiltWithinLastNHoursPolicy?: boolean;
  /** Default 2. */
  keepImagesBuiltWithinLastNHours?: number;
}

/** A per-row "keep this" the user chose; the plan records it. */
export interface KeepOverride {
  repository: string;
  tag: string;
}

// ─── Plan input ─────────────────────────────────────────────────────────────────────────────────

export interface PlanInput {
  /** ISO; every age is measured from here. */
  now: string;
  /** The images repo address the inventory was listed with. */
  repository: string;
  implementation: string;
  /** Normalised registry host (`index.docker.io` for Hub), to match Kubernetes references. */
  registryHost: string;
  capability: DeleteCapability;
  tags: CleanupTag[];
  manifests?: ManifestBlobs[];
  git?: GitSnapshot | null;
  werfMetadata?: WerfMetadata | null;
  /** null/absent = the Kubernetes source is off (`--without-kube`). */
  kube?: KubeUsage | null;
  /** 'auto' = chosen from what the repository holds (the plan says why). */
  policy: PolicyConfig | 'auto';
  switches?: CleanupSwitches;
  overrides?: KeepOverride[];
  /** Why this policy, when the caller chose it (e.g. "chosen with --policy"); 'auto' explains itself. */
  policyReason?: string;
}

// ─── Plan output ────────────────────────────────────────────────────────────────────────────────

/** Stable rule ids (the `rule` of a reason). */
export type ReasonRule =
  | 'service-tag'
  | 'unreadable'
  | 'pending'
  | 'built-recently'
  | 'kube-used'
  | 'kube-unreachable'
  | 'signature-of-kept'
  | 'signature-with-subject'
  | 'signature-orphan'
  | 'child-of-kept-index'
  | 'shared-digest-kept'
  | 'shared-digest-tag-delete'
  | 'override'
  | 'cleanup-disabled'
  | 'no-policy'
  | 'not-werf'
  | 'werf-custom-tag'
  | 'git-branch-exists'
  | 'git-branch-deleted'
  | 'git-tag-exists'
  | 'git-tag-deleted'
  | 'git-commit-exists'
  | 'git-commit-deleted'
  | 'strategy-limit'
  | 'strategy-expiry'
  | 'git-unavailable'
  | 'metadata-missing'
  | 'metadata-unreadable'
  | 'keep-policy'
  | 'unreached'
  | 'rules-protect'
  | 'rules-keep'
  | 'rules-keep-younger'
  | 'rules-keep-newest'
  | 'rules-keep-semver'
  | 'rules-delete'
  | 'rules-default'
  /** The registry can delete neither a tag alone nor a manifest (capability), so nothing goes. */
  | 'delete-unsupported';

export interface PlanReason {
  rule: ReasonRule;
  /** One sentence a person understands. */
  text: string;
}

export type DeleteMethod = 'tag' | 'digest';

export interface PlannedTag {
  repository: string;
  tag: string;
  digest: string | null;
  image?: string | null;
  action: 'keep' | 'delete';
  /** The deciding reason first, then any others that also applied. */
  reasons: PlanReason[];
  /** Deletes only. */
  method?: DeleteMethod;
  /** Kept by an always-kept rule (not by the policy itself). */
  protected?: boolean;
}

export interface PlanSummary {
  tags: number;
  delete: number;
  keep: number;
  /** Digests losing every tag. */
  manifestsFreed: number;
  /** Blobs no longer referenced by any kept manifest in the repository, counted once. */
  bytesFreed: number;
  /** false when blobs were unknown and sizes were used as an estimate. */
  bytesFreedExact?: boolean;
}

export interface PlanWarning {
  code: string;
  message: string;
  hint?: string;
}

export interface CleanupPlan {
  repository: string;
  implementation: string;
  policy: CleanupPolicyName | 'none';
  policyReason: string;
  /** Hash over the inputs and decisions (`sha256:` hex). */
  planId: string;
  now: string;
  tags: PlannedTag[];
  summary: PlanSummary;
  warnings: PlanWarning[];
}

/** A policy that cannot be used, with werf's own error text where werf has one. */
export interface PolicyError {
  code: string;
  message: string;
  hint?: string;
  /** Line in the policy file / werf.yaml. */
  line?: number;
  file?: string;
}

/**
 * The planner's entry points (implemented in shared/cleanup/planner.ts):
 *   planCleanup(input: PlanInput): { ok: true; plan: CleanupPlan } | { ok: false; error: PolicyError }
 * A bad policy (werf would reject the keepPolicy, a bad rules regex) is an error, never a guess.
 */
export type PlanOutcome = { ok: true; plan: CleanupPlan } | { ok: false; error: PolicyError };
