import crypto, { createHash } from 'node:crypto';
import { MEDIA_TYPES, isValidDigest, manifestKind, normalizeMediaType } from '../../../shared/inventory/classify';
import type { PlatformChild } from '../../../shared/inventory/types';
import type { ConfigFacts } from './config-cache';

/**
 * Reading manifests and configs into the few facts the inventory keeps. Bodies are parsed and
 * dropped at once: a 20,000-tag inventory must not hold 20,000 manifests.
 */

export interface Descriptor {
  digest: string;
  mediaType: string | null;
  size: number | null;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ManifestFacts {
  mediaType: string | null;
  kind: 'image' | 'index';
  /** Image: config + layers. Index: filled in by the engine from its children. */
  size: number | null;
  configDigest?: string;
  configSize?: number;
  /** Kept only for manifests read as index children, to deduplicate shared layers. */
  layers?: { digest: string; size: number }[];
  /** Index only. */
  children?: Descriptor[];
  /** `org.opencontainers.image.created` annotation, ISO. */
  created?: string;
  /** Index only, after its children were read. */
  platforms?: PlatformChild[];
  /** Something the rows of this manifest should say (a platform manifest could not be read). */
  problem?: string;
}

export function utf8(body: Uint8Array): string {
  return Buffer.isBuffer(body) ? body.toString('utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Indexes with more children than this are not expanded (a hostile or broken index). */
export const MAX_INDEX_CHILDREN = 64;

// One-shot hashing (Node ≥ 20.12) skips the Hash object per manifest; the fallback is the same digest.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${oneShot ? oneShot('sha256', bytes, 'hex') : createHash('sha256').update(bytes).digest('hex')}`;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function size(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Any parseable time → ISO, so string sorting in the views is chronological. */
export function isoTime(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function descriptor(v: unknown): Descriptor | null {
  const d = record(v);
  const digest = d ? str(d.digest) : undefined;
  if (!d || digest === undefined || !isValidDigest(digest)) return null;
  const out: Descriptor = { digest, mediaType: normalizeMediaType(str(d.mediaType)), size: size(d.size) };
  const p = record(d.platform);
  if (p) {
    const platform: Descriptor['platform'] = {};
    const os = str(p.os);
    const architecture = str(p.architecture);
    const variant = str(p.variant);
    if (os !== undefined) platform.os = os;
    if (architecture !== undefined) platform.architecture = architecture;
    if (variant !== undefined) platform.variant = variant;
    out.platform = platform;
  }
  return out;
}

/**
 * Facts from a manifest body. The media type comes from the body when it says, else from the
 * Content-Type, else from the shape (an OCI index may omit `mediaType`).
 */
export function parseManifest(body: Uint8Array, contentType: string | null, opts: { keepLayers?: boolean } = {}): Parsed<ManifestFacts> {
  let json: unknown;
  try {
    json = JSON.parse(utf8(body));
  } catch {
    return { ok: false, error: `the manifest is not JSON (${body.byteLength} bytes${looksHtml(body) ? ', an HTML page' : ''})` };
  }
  const m = record(json);
  if (!m) return { ok: false, error: 'the manifest is not a JSON object' };
  const header = normalizeMediaType(contentType);
  const declared = normalizeMediaType(str(m.mediaType));
  const shaped = Array.isArray(m.manifests) ? MEDIA_TYPES.ociIndex : m.schemaVersion === 1 ? MEDIA_TYPES.dockerSchema1 : null;
  const mediaType = declared ?? (header !== null && header !== 'application/json' && header !== 'application/octet-stream' ? header : null) ?? shaped;
  const kind = manifestKind(mediaType) ?? (Array.isArray(m.manifests) ? 'index' : 'image');
  const annotations = record(m.annotations);
  const created = annotations ? isoTime(annotations['org.opencontainers.image.created']) : undefined;

  if (kind === 'index') {
    if (!Array.isArray(m.manifests)) return { ok: false, error: 'the index has no "manifests" list' };
    const children: Descriptor[] = [];
    for (const c of m.manifests.slice(0, MAX_INDEX_CHILDREN)) {
      const d = descriptor(c);
      if (d) children.push(d);
    }
    const facts: ManifestFacts = { mediaType, kind, size: null, children };
    if (created !== undefined) facts.created = created;
    return { ok: true, value: facts };
  }

  const facts: ManifestFacts = { mediaType, kind, size: null };
  if (created !== undefined) facts.created = created;
  const config = descriptor(m.config);
  if (config) {
    facts.configDigest = config.digest;
    if (config.size !== null) facts.configSize = config.size;
  }
  if (Array.isArray(m.layers)) {
    let total = config?.size ?? null;
    const layers: { digest: string; size: number }[] = [];
    for (const l of m.layers) {
      // A layer without a size or a valid digest makes the size unknown: the image's own total and
      // an index's (which sums distinct layers by digest) must agree, so both drop it alike.
      const layer = descriptor(l);
      if (layer === null || layer.size === null) {
        total = null;
        continue;
      }
      if (total !== null) total += layer.size;
      if (opts.keepLayers) layers.push({ digest: layer.digest, size: layer.size });
    }
    facts.size = total;
    if (opts.keepLayers) facts.layers = layers;
  }
  // schema1 (`fsLayers`) records no sizes: size stays unknown rather than wrong.
  return { ok: true, value: facts };
}

export function looksHtml(body: Uint8Array): boolean {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 256)).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<');
}

/** The platform list of an index, with each child's image size when it is known. */
export function platformsOf(children: readonly Descriptor[], sizes: ReadonlyMap<string, number | null>): PlatformChild[] {
  return children.map((c) => {
    const p: PlatformChild = { digest: c.digest, mediaType: c.mediaType ?? '' };
    if (c.platform?.os !== undefined) p.os = c.platform.os;
    if (c.platform?.architecture !== undefined) p.architecture = c.platform.architecture;
    if (c.platform?.variant !== undefined) p.variant = c.platform.variant;
    const s = sizes.get(c.digest);
    if (s !== undefined && s !== null) p.size = s;
    return p;
  });
}

// Only labels a cleanup or a view uses are kept, and within limits: a config can carry thousands.
const MAX_LABELS = 48;
const MAX_LABEL_KEY = 200;
const MAX_LABEL_VALUE = 1024;
const MAX_LABEL_BYTES = 16 * 1024;

export function keepLabel(key: string): boolean {
  return key === 'werf' || key.startsWith('werf-') || key.startsWith('werf.') || key.startsWith('org.opencontainers.');
}

export function pickLabels(raw: unknown): Record<string, string> | undefined {
  const labels = record(raw);
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  let count = 0;
  let bytes = 0;
  // Sorted so the same config always keeps the same labels when the cap bites.
  for (const key of Object.keys(labels).sort()) {
    const value = labels[key];
    if (typeof value !== 'string' || !keepLabel(key) || key.length > MAX_LABEL_KEY) continue;
    const v = value.length > MAX_LABEL_VALUE ? `${value.slice(0, MAX_LABEL_VALUE)}…` : value;
    if (count >= MAX_LABELS || bytes + key.length + v.length > MAX_LABEL_BYTES) break;
    out[key] = v;
    count++;
    bytes += key.length + v.length;
  }
  return count > 0 ? out : undefined;
}

/** `created` and the kept labels of an image config (Docker and OCI keep labels under `config.Labels`). */
export function parseConfig(body: Uint8Array): Parsed<ConfigFacts> {
  let json: unknown;
  try {
    json = JSON.parse(utf8(body));
  } catch {
    return { ok: false, error: `the image config is not JSON (${body.byteLength} bytes${looksHtml(body) ? ', an HTML page' : ''})` };
  }
  const c = record(json);
  if (!c) return { ok: false, error: 'the image config is not a JSON object' };
  const facts: ConfigFacts = {};
  const created = isoTime(c.created);
  if (created !== undefined) facts.created = created;
  const inner = record(c.config);
  const labels = pickLabels(inner?.Labels);
  if (labels) facts.labels = labels;
  return { ok: true, value: facts };
}
