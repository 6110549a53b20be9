import type { Implementation, ImplementationChoice } from '../registry/implementations';

/**
 * The registry inventory as the views and the CLI see it. Rows stream from the main process while
 * listing continues; grouping by digest and totals are computed from rows by pure functions here,
 * so the renderer, the CLI and tests agree.
 */
export type TagKind = 'image' | 'index' | 'werf-service' | 'signature';

/** werf's own bookkeeping tags, which a cleanup must never treat as stale user tags. */
export type WerfServiceKind =
  | 'meta'
  | 'managed-image'
  | 'import-metadata'
  | 'client-id'
  | 'custom-tag-meta'
  | 'rejected'
  | 'image-metadata-by-commit'
  | 'stage';

export interface PlatformChild {
  digest: string;
  mediaType: string;
  os?: string;
  architecture?: string;
  variant?: string;
  size?: number;
}

export interface InventoryTag {
  /** Repository path the tag lives in (multirepo lists several repositories). */
  repository: string;
  tag: string;
  /** null when the registry could not say (see `error`). */
  digest: string | null;
  mediaType: string | null;
  kind: TagKind;
  /** Compressed bytes: config + layers for an image; children (deduplicated layers) for an index. */
  size: number | null;
  /** ISO time from the image config (or, for stage tags, from the tag name). */
  created?: string;
  /** ISO push time where the registry records it. */
  pushed?: string;
  /** ISO last-pull time where the registry records it. */
  pulled?: string;
  /** Labels from the image config (werf-* and OCI ones), capped in size. */
  labels?: Record<string, string>;
  /** The werf.yaml image this tag belongs to under the active repo mode; null = the nameless image. Absent when unknown. */
  image?: string | null;
  /** How `image` was decided: by the repository path, the tag prefix, or the `werf-image-name` label. */
  imageBy?: 'repository' | 'prefix' | 'label';
  service?: WerfServiceKind;
  /** For `sha256-<hex>.sig/.att/.sbom`: the digest described. */
  signatureOf?: string;
  platforms?: PlatformChild[];
  /** A per-tag failure (manifest unknown, unreadable config); the row stays so nothing silently vanishes. */
  error?: string;
  /**
   * Listed but not inspected yet (digest, size and dates still coming): a later batch carries the
   * same `repository:tag` with the facts. Absent on finished rows.
   */
  pending?: boolean;
  /**
   * Monorepo only, set when the mapping is ambiguous: no `werf-image-name` label settled it and
   * several werf images' `IMAGE-` prefixes fit (longest first). `image` is then the longest, a guess.
   */
  imageCandidates?: string[];
}

export interface InventoryRequest {
  /** An images repo address, or any repository the user types. */
  imagesRepo: string;
  implementation: ImplementationChoice;
  mode: 'auto' | 'multirepo' | 'monorepo';
  /** werf.yaml image names (null = nameless), to map tags to images and to know the repositories in multirepo. */
  images: (string | null)[];
  /** Only this werf image. */
  image?: string;
  /** Fetch image configs for created dates and labels (one GET per distinct digest, cached on disk). */
  withConfig: boolean;
}

/** One manifest, fetched by digest when the user opens it in the tag details. */
export interface ManifestRequest {
  /** The address the inventory was listed with: it names the registry and its settings. */
  imagesRepo: string;
  implementation: ImplementationChoice;
  repository: string;
  digest: string;
}

export interface ManifestDocument {
  repository: string;
  digest: string;
  mediaType: string | null;
  /** Bytes as the registry sent them. */
  size: number;
  /** Pretty-printed JSON (or the text as sent, when it is not JSON). */
  text: string;
}

export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  resetAt?: string;
  source: string;
}

export interface InventoryProgress {
  phase: 'listing' | 'digests' | 'configs' | 'done';
  listed: number;
  inspected: number;
  total: number | null;
  /** The registry's latest rate-limit headers, so a user sees the budget shrink while listing. */
  rateLimit?: RateLimitInfo;
  /** Set while the listing waits out a registry's rate limit: ISO time it resumes (for a countdown). */
  waitingUntil?: string;
}

/** Why a listing is partial. Cleanup must never plan from a partial listing. */
export interface ListingTruncation {
  /** `max-tags` / `max-bytes`: a per-listing cap; `failed`: a repository's listing stopped early (a page failed, a bad or looping Link). */
  /** `registry-cap`: the registry's own answer is capped (Google's tags/list above 10,000 images or tags). */
  reason: 'max-tags' | 'max-bytes' | 'failed' | 'registry-cap';
  /** The cap that was reached, for `max-tags` (rows) and `max-bytes` (bytes). */
  limit?: number;
  message: string;
}

export interface InventoryStats {
  /**
   * Every planned repository was read to its last page and no cap was reached. False means the
   * rows are a part of the repository's tags: fine to look at, never a basis for a cleanup plan.
   */
  complete: boolean;
  /** Why `complete` is false. */
  truncated?: ListingTruncation[];
  repositories: string[];
  registry: string;
  implementation: Implementation;
  tags: number;
  durationMs: number;
  requests: number;
  connections: number;
  rateLimit?: RateLimitInfo;
  warnings: string[];
  /** Repositories that do not exist (404 NAME_UNKNOWN): listed as warnings, not failures. */
  missingRepositories?: string[];
  /** Rows that carry an `error`. */
  rowErrors?: number;
  /** Monorepo rows whose image is a longest-prefix guess among several candidates. */
  ambiguousRows?: number;
  /** Image configs read from the on-disk cache vs fetched (withConfig). */
  configCache?: { hits: number; fetched: number };
}
