import type { TagKind, WerfServiceKind } from './types';

/**
 * What a tag is, from its name and its manifest media type alone (no registry calls): werf's
 * bookkeeping tags (werf.md §4.4), stage tags whose name carries their creation time, cosign-style
 * signature tags, and index vs image manifests.
 */

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/**
 * All four in every manifest request (registry-apis.md §0.3): without them distribution 2.8
 * rewrites schema2 to schema1 (another digest) or hides OCI manifests behind a 404.
 */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(', ');

/** `application/json; charset=utf-8` → `application/json`; null for nothing usable. */
export function normalizeMediaType(mediaType: string | null | undefined): string | null {
  if (!mediaType) return null;
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  return base === '' ? null : base;
}

/** `index` for OCI indexes and Docker manifest lists, `image` for any other manifest, null when unknown. */
export function manifestKind(mediaType: string | null | undefined): 'index' | 'image' | null {
  const m = normalizeMediaType(mediaType);
  if (m === null) return null;
  return m === MEDIA_TYPES.ociIndex || m === MEDIA_TYPES.dockerList ? 'index' : 'image';
}

export interface TagClassification {
  service?: WerfServiceKind;
  /** ISO time read from the tag name (stage tags). */
  created?: string;
  /** `sha256:<hex>` described by a `sha256-<hex>.sig/.att/.sbom` tag (or the bare referrers-fallback tag). */
  signatureOf?: string;
  signatureType?: 'sig' | 'att' | 'sbom' | 'referrers';
}

// Prefixes from werf's storage code (v1.1 repo_stages_storage.go; v1.2+ adds the rest, werf.md §4.4).
// Order does not matter: no prefix is a prefix of another.
const SERVICE_PREFIXES: readonly [string, WerfServiceKind][] = [
  ['managed-image-', 'managed-image'],
  ['meta-', 'meta'],
  ['custom-tag-meta-', 'custom-tag-meta'],
  ['import-metadata-', 'import-metadata'],
  ['client-id-', 'client-id'],
  ['image-metadata-by-commit-', 'image-metadata-by-commit'],
];

/**
 * `<sha3-224 hex>-<unix ms>`: werf's stage tag in v1.1 stages storage and in the single v1.2+ repo.
 * The unique id is a millisecond timestamp (werf's ParseUniqueIDAsTimestamp), 13 digits until 2286.
 */
const STAGE_TAG = /^([0-9a-f]{56})-(\d{13})$/;
const REJECTED_STAGE = /^([0-9a-f]{56})-(\d{13})-rejected$/;
const SIGNATURE_TAG = /^sha256-([0-9a-f]{64})(?:\.(sig|att|sbom))?$/;

function msToIso(ms: string): string | undefined {
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Classifies a tag by name. Unknown names give an empty object: an ordinary user tag. */
export function classifyTag(tag: string): TagClassification {
  const sig = SIGNATURE_TAG.exec(tag);
  if (sig) return { signatureOf: `sha256:${sig[1]}`, signatureType: (sig[2] as 'sig' | 'att' | 'sbom' | undefined) ?? 'referrers' };

  const stage = STAGE_TAG.exec(tag);
  if (stage) {
    const created = msToIso(stage[2]!);
    return created !== undefined ? { service: 'stage', created } : { service: 'stage' };
  }
  const rejected = REJECTED_STAGE.exec(tag);
  if (rejected) {
    const created = msToIso(rejected[2]!);
    return created !== undefined ? { service: 'rejected', created } : { service: 'rejected' };
  }
  for (const [prefix, service] of SERVICE_PREFIXES) {
    if (tag.startsWith(prefix) && tag.length > prefix.length) return { service };
  }
  // werf marks a stage it must not reuse by appending `-rejected`; any such tag is bookkeeping.
  // Misreading a user tag that happens to end like this only makes it "kept", the safe direction.
  if (tag.endsWith('-rejected') && tag.length > '-rejected'.length) return { service: 'rejected' };
  return {};
}

/**
 * The row kind. Signatures and werf's bookkeeping tags are named as such whatever their manifest;
 * stage tags keep their manifest kind because in werf v1.2+ they ARE the published images
 * (`service: 'stage'` still marks them as werf's).
 */
export function tagKind(c: TagClassification, mediaType: string | null | undefined): TagKind {
  if (c.signatureOf !== undefined) return 'signature';
  if (c.service !== undefined && c.service !== 'stage') return 'werf-service';
  return manifestKind(mediaType) ?? 'image';
}

/** distribution's tag grammar; anything else must never be put into a request path. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

// Linear-time form of distribution's repository grammar (see naming/preview.ts for why `-+`).
const REPOSITORY_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function isValidRepository(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  return name.split('/').every((c) => REPOSITORY_COMPONENT.test(c));
}

/** `sha256:<64 hex>` and the other algorithms the OCI spec registers. */
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}|(?!sha256:|sha512:)[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,})$/;

export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest);
}
