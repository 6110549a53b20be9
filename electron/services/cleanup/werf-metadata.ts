import type { WerfMetadata, WerfMetadataFormat, WerfMetadataRecord } from '../../../shared/cleanup/types';
import type { RegistrySettings } from '../../../shared/credentials/types';
import { UserError } from '../../../shared/api/result';
import type { InventoryProgress } from '../../../shared/inventory/types';
import type { ImplementationChoice } from '../../../shared/registry/implementations';
import { DOCKER_TAG_MAX_SIZE, isValidDockerTag, limitedSlug, slugHash } from '../../../shared/naming/slug';
import type { ResolvedCredential } from '../credentials/types';
import { driverFor, listInventory } from '../inventory';
import { planInventory } from '../inventory/plan';
import { parseManifest, utf8 } from '../inventory/manifest';
import { getBlob, getManifest } from '../inventory/registry-api';
import type { DriverContext, InventoryDriver } from '../inventory/types';
import type { RegistryAccess } from '../registry-access';

/**
 * werf's commit ↔ image bookkeeping, read from a registry. The cleanup policy `werf-git-history`
 * keeps an image when a kept commit names it; these records are the only place that link lives.
 *
 * Formats Stowage reads (werf's source is the authority: `pkg/storage/repo_stages_storage.go`):
 *
 * - **v1.1** (stages storage, v1.1.20+): one tag per image and commit,
 *   `image-metadata-by-commit-<image>-<commit>`, whose image config carries the label
 *   `ContentSignature`. Published tags carry the same value as `werf-content-signature`.
 *   `<image>` is the werf.yaml name with `/` → `__slash__`, `+` → `__plus__`, the nameless image
 *   `__nameless__`; when the tag would pass 128 characters werf slugs the name shorter and turns
 *   its `-` into `_`, so records are matched by composing the expected tag per werf.yaml image, as
 *   werf does. The label needs one manifest + config read per record.
 * - **v1.2+ / v2** (the single `--repo`): `meta-<imageId>_<commit>_<stageId>`, everything in the
 *   name: `<imageId>` is werf's murmur3 hash (hex, unpadded) of the image name (`""` for the
 *   nameless image), `<stageId>` is `<sha3-224 hex>-<unix ms>`, which is also the tag of the
 *   published image. No reads beyond the tag list.
 * - **v1.2+ custom tags**: `custom-tag-meta-<slug(tag, 48)>` with labels `tag` and `stage-id`; the
 *   custom tag is attached to the records of its stage (werf deletes it with its stage).
 *
 * Not read: v1.1 releases before 1.1.20 (they wrote no metadata: their tags come out "metadata
 * missing", and the planner keeps them), local (`:local`) stages storage, and the import/client-id
 * records, which say nothing about commits.
 */

export const V11_RECORD_PREFIX = 'image-metadata-by-commit-';
export const V12_RECORD_PREFIX = 'meta-';
export const CUSTOM_TAG_PREFIX = 'custom-tag-meta-';
/** The v1.1 record label (werf `PutImageCommit`). */
export const V11_SIGNATURE_LABEL = 'ContentSignature';
/** The v1.2+ custom-tag record labels (werf `WerfCustomTagMetadataStageIDLabel`, `…Tag`). */
export const CUSTOM_TAG_STAGE_LABEL = 'stage-id';
export const CUSTOM_TAG_TAG_LABEL = 'tag';
const NAMELESS = '__nameless__';
const MANAGED_IMAGE_PREFIX = 'managed-image-';

const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const STAGE_ID = /^[0-9a-f]{56}-\d{1,19}$/;

/** v1.1 `slugImageNameAsDockerImageTag`. */
function v11ImageSlug(image: string | null): string {
  if (image === null || image === '') return NAMELESS;
  return image.replaceAll('/', '__slash__').replaceAll('+', '__plus__');
}

/** The tag werf v1.1 writes for an image and commit (`slugImageMetadataByCommitImageRecordTag`). */
export function v11RecordTag(image: string | null, commit: string): string {
  let name = v11ImageSlug(image);
  const tag = `${V11_RECORD_PREFIX}${name}-${commit}`;
  if (tag.length <= DOCKER_TAG_MAX_SIZE) return tag;
  const extra = tag.length - DOCKER_TAG_MAX_SIZE;
  name = limitedSlug(name, name.length - extra).replaceAll('-', '_');
  return `${V11_RECORD_PREFIX}${name}-${commit}`;
}

/** v1.2+ `slugImageName`: the managed-image id before any length limit. */
function v12ImageSlug(image: string | null): string {
  if (image === null || image === '') return NAMELESS;
  return image.replaceAll(' ', '__space__').replaceAll('/', '__slash__').replaceAll('+', '__plus__');
}

function v12Unslug(id: string): string {
  const name = id.replaceAll('__space__', ' ').replaceAll('__slash__', '/').replaceAll('__plus__', '+');
  return name === NAMELESS ? '' : name;
}

/**
 * v1.2+ `getImageMetadataID`: the hash of the image's managed name (the name itself unless it is no
 * valid tag, then werf's limited slug of it), printed the way werf prints it.
 */
export function v12ImageId(image: string | null): string {
  let id = v12ImageSlug(image);
  if (!isValidDockerTag(id)) id = limitedSlug(id, DOCKER_TAG_MAX_SIZE - MANAGED_IMAGE_PREFIX.length);
  return slugHash(v12Unslug(id));
}

/** The tag werf v1.2+ writes for an image, commit and stage (`makeRepoImageMetadataTagName`). */
export function v12RecordTag(image: string | null, commit: string, stageId: string): string {
  return `${V12_RECORD_PREFIX}${v12ImageId(image)}_${commit}_${stageId}`;
}

/** Only these need their image config (labels) read; `meta-*` says everything in its name. */
function needsLabels(tag: string): boolean {
  return tag.startsWith(V11_RECORD_PREFIX) || tag.startsWith(CUSTOM_TAG_PREFIX);
}

/** A metadata tag as the parser needs it: an inventory row fits. */
export interface MetadataTagInput {
  tag: string;
  labels?: Record<string, string>;
  error?: string;
  /** Listed but not inspected (inventory rows still streaming). */
  pending?: boolean;
}

export interface WerfMetadataRead extends WerfMetadata {
  /** The repository the records were read from. */
  repository?: string;
  /** Record tags that named no werf.yaml image (another project, or an image since renamed or removed). */
  foreign: string[];
  /** Record tags whose name werf would not have written (ignored, as werf ignores them). */
  malformed: string[];
  /** Record tags whose config had to be read (v1.1 records and custom-tag records). */
  inspected: number;
}

interface ImageKey {
  image: string | null;
}

/**
 * Parses werf's records from tag names (and, for v1.1 and custom tags, their labels). `images`
 * are werf.yaml's image names (null = nameless); records of other images are reported as foreign,
 * never guessed into one of these.
 */
export function parseWerfMetadata(tags: readonly MetadataTagInput[], images: readonly (string | null)[]): WerfMetadataRead {
  const byV12Id = new Map<string, ImageKey>();
  for (const image of images) byV12Id.set(v12ImageId(image), { image });

  const records: WerfMetadataRecord[] = [];
  const unreadable = new Map<string, { image: string | null; reason: string }>();
  const formats = new Set<WerfMetadataFormat>();
  const foreign: string[] = [];
  const malformed: string[] = [];
  const customTags: { tag: string; stage: string }[] = [];
  let inspected = 0;

  const noteUnreadable = (image: string | null, reason: string) => {
    const key = image ?? '\u0000nameless';
    if (!unreadable.has(key)) unreadable.set(key, { image, reason });
  };

  for (const row of tags) {
    const tag = row.tag;
    if (tag.startsWith(V12_RECORD_PREFIX)) {
      const parts = tag.slice(V12_RECORD_PREFIX.length).split('_');
      if (parts.length !== 3 || !COMMIT.test(parts[1]!) || !STAGE_ID.test(parts[2]!)) {
        malformed.push(tag);
        continue;
      }
      const [id, commit, stageId] = parts as [string, string, string];
      formats.add('v1.2-meta');
      const known = byV12Id.get(id);
      if (!known) {
        foreign.push(tag);
        continue;
      }
      records.push({ format: 'v1.2-meta', image: known.image, commit, signature: stageId, source: tag });
    } else if (tag.startsWith(V11_RECORD_PREFIX)) {
      const rest = tag.slice(V11_RECORD_PREFIX.length);
      const dash = rest.lastIndexOf('-');
      const commit = dash > 0 ? rest.slice(dash + 1) : '';
      if (!COMMIT.test(commit)) {
        malformed.push(tag);
        continue;
      }
      formats.add('v1.1-image-metadata-by-commit');
      inspected++;
      const match = images.find((image) => v11RecordTag(image, commit) === tag);
      if (match === undefined) {
        foreign.push(tag);
        continue;
      }
      const signature = row.labels?.[V11_SIGNATURE_LABEL];
      if (row.pending) noteUnreadable(match, `werf's record ${tag} was not read yet.`);
      else if (row.error !== undefined) noteUnreadable(match, `werf's record ${tag} could not be read: ${row.error}`);
      else if (signature === undefined || signature === '') noteUnreadable(match, `werf's record ${tag} has no ${V11_SIGNATURE_LABEL} label.`);
      else records.push({ format: 'v1.1-image-metadata-by-commit', image: match, commit, signature, source: tag });
    } else if (tag.startsWith(CUSTOM_TAG_PREFIX)) {
      inspected++;
      const custom = row.labels?.[CUSTOM_TAG_TAG_LABEL];
      const stage = row.labels?.[CUSTOM_TAG_STAGE_LABEL];
      // A custom-tag record that cannot be read only loses the link to its custom tag, which the
      // planner then treats as a tag without werf metadata (kept): nothing is deleted on a guess.
      if (custom && stage && STAGE_ID.test(stage)) customTags.push({ tag: custom, stage });
      else if (row.error === undefined && !row.pending) malformed.push(tag);
    }
  }

  if (customTags.length > 0) {
    const byStage = new Map<string, WerfMetadataRecord[]>();
    for (const r of records) {
      if (r.format !== 'v1.2-meta') continue;
      const list = byStage.get(r.signature);
      if (list) list.push(r);
      else byStage.set(r.signature, [r]);
    }
    for (const { tag, stage } of customTags) {
      for (const r of byStage.get(stage) ?? []) {
        if (!r.tags) r.tags = [];
        if (!r.tags.includes(tag)) r.tags.push(tag);
      }
    }
  }

  // Stable order, so the plan id does not depend on the order the registry listed tags in.
  records.sort((a, b) => (a.source ?? '').localeCompare(b.source ?? ''));
  for (const r of records) r.tags?.sort();
  return {
    records,
    unreadable: [...unreadable.values()],
    formats: [...formats].sort(),
    foreign: foreign.sort(),
    malformed: malformed.sort(),
    inspected,
  };
}

// werf's record images carry a handful of small labels; anything bigger was not written by werf.
const RECORD_LABELS = [V11_SIGNATURE_LABEL, CUSTOM_TAG_STAGE_LABEL, CUSTOM_TAG_TAG_LABEL] as const;
const RECORD_CONFIG_MAX_BYTES = 256 * 1024;
const MAX_LABEL_VALUE = 512;

/**
 * The labels werf's records are read by. The inventory keeps only werf-* and OCI labels, and
 * werf's record labels (`ContentSignature`, `tag`, `stage-id`) are neither, so records are read here.
 */
async function readRecord(ctx: DriverContext, repository: string, tag: string): Promise<MetadataTagInput> {
  const manifest = await getManifest(ctx, repository, tag);
  if (!manifest.ok) return { tag, error: manifest.error };
  const facts = parseManifest(manifest.value.body, manifest.value.mediaType);
  if (!facts.ok) return { tag, error: facts.error };
  if (facts.value.configDigest === undefined) return { tag, error: 'the record is not an image manifest with a config' };
  const blob = await getBlob(ctx, repository, facts.value.configDigest, RECORD_CONFIG_MAX_BYTES);
  if (!blob.ok) return { tag, error: blob.error };
  let config: unknown;
  try {
    config = JSON.parse(utf8(blob.value));
  } catch {
    return { tag, error: 'the record\'s image config is not JSON' };
  }
  const raw = (config as { config?: { Labels?: unknown } } | null)?.config?.Labels;
  const labels: Record<string, string> = {};
  if (raw !== null && typeof raw === 'object') {
    for (const key of RECORD_LABELS) {
      const value = (raw as Record<string, unknown>)[key];
      if (typeof value === 'string' && value.length <= MAX_LABEL_VALUE) labels[key] = value;
    }
  }
  return { tag, labels };
}

/**
 * A driver that lists through the implementation's own driver (auth, pagination, native listing)
 * but hands the engine no rows: `meta-*` names are collected as listed, and only v1.1 and
 * custom-tag records are read (one manifest and one config each). A stages storage holds a tag
 * per stage, so this costs a request per record instead of one per stage.
 */
function metadataOnlyDriver(inner: InventoryDriver, found: MetadataTagInput[]): InventoryDriver {
  const driver: InventoryDriver = {
    id: `${inner.id}+werf-metadata`,
    ...(inner.meteredManifestGets !== undefined ? { meteredManifestGets: inner.meteredManifestGets } : {}),
    async *listTags(ctx, repository) {
      for await (const event of inner.listTags(ctx, repository)) {
        if (event.type !== 'tags') {
          yield event;
          continue;
        }
        const reads: Promise<MetadataTagInput>[] = [];
        for (const t of event.tags) {
          if (t.tag.startsWith(V12_RECORD_PREFIX)) found.push({ tag: t.tag });
          else if (needsLabels(t.tag)) reads.push(t.error !== undefined ? Promise.resolve({ tag: t.tag, error: t.error }) : readRecord(ctx, repository, t.tag));
        }
        // Requests share the engine's concurrency limit; a page's records are read together.
        found.push(...(await Promise.all(reads)));
        if (ctx.signal.aborted) return;
      }
    },
  };
  if (inner.apiHost) driver.apiHost = (registry) => inner.apiHost!(registry);
  if (inner.repositories) driver.repositories = (ctx, planned) => inner.repositories!(ctx, planned);
  return driver;
}

export interface ReadWerfMetadataRequest {
  /**
   * The repository holding werf's records: the images repo for werf v1.2+/v2 (`--repo`), the
   * stages storage (`--stages-storage`) for v1.1. Read as one plain repository.
   */
  repository: string;
  implementation: ImplementationChoice;
  /** werf.yaml image names (null = nameless). */
  images: (string | null)[];
}

export interface ReadWerfMetadataDeps {
  credential: ResolvedCredential | null;
  settings?: RegistrySettings | undefined;
  /** Unused: records are read here, not through the inventory's config cache. */
  cacheDir?: string;
  signal: AbortSignal;
  onProgress?: (progress: InventoryProgress) => void;
  concurrency?: number;
}

/**
 * Lists the repository and reads werf's records from it. A repository that does not exist gives
 * no records (the planner then says the metadata is missing); a listing the registry refuses
 * rejects with the inventory's UserError (what failed, the status, the fix).
 */
export async function readWerfMetadata(req: ReadWerfMetadataRequest, deps: ReadWerfMetadataDeps): Promise<WerfMetadataRead> {
  const plan = planInventory({ imagesRepo: req.repository, implementation: req.implementation, mode: 'auto', images: [], withConfig: false });
  const found: MetadataTagInput[] = [];
  // withConfig stays off: the driver reads the records' configs itself and hands the engine no rows.
  await listInventory(
    { imagesRepo: req.repository, implementation: plan.implementation, mode: 'auto', images: [], withConfig: false },
    {
      credential: deps.credential,
      settings: deps.settings,
      cacheDir: deps.cacheDir ?? '',
      signal: deps.signal,
      driver: metadataOnlyDriver(driverFor(plan.implementation), found),
      onRows: () => undefined,
      onProgress: deps.onProgress ?? (() => undefined),
      ...(deps.concurrency !== undefined ? { concurrency: deps.concurrency } : {}),
    },
  );
  if (deps.signal.aborted) throw new UserError({ code: 'cancelled', message: 'Reading werf metadata was cancelled.' });
  const read = parseWerfMetadata(found, req.images);
  read.repository = plan.repositories[0]?.repository ?? req.repository;
  return read;
}

/**
 * `readWerfMetadata` with the credential and settings the app and CLI already use for that
 * registry. The inventory keeps only werf-* and OCI labels, so records whose meaning is in their
 * labels (v1.1 `ContentSignature`, custom-tag `tag` / `stage-id`) must be read this way: parsing
 * inventory rows alone sees v1.2 `meta-*` names but not those labels.
 */
// TODO(cleanup-inputs): plan-service re-reads a repository only when a record row has no labels
// at all; werf's custom-tag records carry a `werf` label (kept by the inventory), so their links are
// still lost there (their tags are kept: the safe direction). Testing for the record labels
// themselves, and reading `CleanupInputsRequest.metadataRepository` (a v1.1 stages storage) with
// this function, would close both.
export async function readWerfMetadataVia(
  access: Pick<RegistryAccess, 'resolver' | 'settings'>,
  req: ReadWerfMetadataRequest,
  signal: AbortSignal,
  onProgress?: (progress: InventoryProgress) => void,
): Promise<WerfMetadataRead> {
  const plan = planInventory({ imagesRepo: req.repository, implementation: req.implementation, mode: 'auto', images: [], withConfig: false });
  const { credential } = await access.resolver.resolveWithProblems(plan.registry, plan.implementation, signal);
  const settings = await access.settings.get(plan.registry);
  return readWerfMetadata({ ...req, implementation: plan.implementation }, { credential, settings, signal, ...(onProgress ? { onProgress } : {}) });
}
