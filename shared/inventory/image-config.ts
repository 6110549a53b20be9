import type { ManifestRequest, PlatformChild } from './types';

/**
 * The image itself, as `docker image inspect` and `docker history` show it: the runtime config
 * (entrypoint, cmd, env, ports, …) and the layers with the history step that made each one.
 * Everything here comes from a registry and is untrusted: lists and strings are capped, and what
 * was cut is said in `notes` so nothing is silently missing.
 */

export interface ImageConfigRequest extends ManifestRequest {
  /** For an index: the child manifest to show (one of its platforms). Default: the first real platform. */
  platform?: string;
}

/** One step of the image's history, with the layer it produced (none for metadata-only steps). */
export interface ImageStep {
  createdBy: string;
  created?: string;
  comment?: string;
  /** Docker's `empty_layer`: the step changed only metadata (ENV, CMD, LABEL, …) and made no layer. */
  emptyLayer: boolean;
  layer: { digest: string; size: number | null; mediaType: string | null } | null;
}

export interface ImageConfigDocument {
  repository: string;
  /** The digest asked for (an index or an image). */
  digest: string;
  /** For an index: its platforms, and the child shown. */
  platforms?: PlatformChild[];
  platform?: string;
  /** The image manifest whose config is shown. */
  manifestDigest: string;
  configDigest: string;
  configSize: number;
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
  author?: string;
  entrypoint: string[] | null;
  cmd: string[] | null;
  env: string[];
  exposedPorts: string[];
  volumes: string[];
  workingDir?: string;
  user?: string;
  stopSignal?: string;
  labels: Record<string, string>;
  steps: ImageStep[];
  /** Sum of the layer sizes the manifest states (compressed, as pulled). */
  layersSize: number | null;
  layerCount: number;
  /** What was capped or did not line up (history vs layers), in words. */
  notes: string[];
  /** The config JSON, pretty-printed (capped), for copying. */
  text: string;
}

export const IMAGE_CONFIG_LIMITS = {
  listItems: 500,
  labels: 500,
  steps: 1000,
  layers: 1000,
  stringChars: 4096,
  textChars: 256 * 1024,
} as const;

type Json = Record<string, unknown>;

function record(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

function cap(s: string): string {
  return s.length > IMAGE_CONFIG_LIMITS.stringChars ? `${s.slice(0, IMAGE_CONFIG_LIMITS.stringChars)}…` : s;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? cap(v) : undefined;
}

function strings(v: unknown, what: string, notes: string[]): string[] | null {
  if (!Array.isArray(v)) return null;
  const out = v.filter((x): x is string => typeof x === 'string').slice(0, IMAGE_CONFIG_LIMITS.listItems).map(cap);
  if (v.length > IMAGE_CONFIG_LIMITS.listItems) notes.push(`${what}: the first ${IMAGE_CONFIG_LIMITS.listItems} of ${v.length} shown.`);
  return out;
}

/** `ExposedPorts` / `Volumes` are JSON objects whose keys are the values ({"80/tcp": {}}). */
function keys(v: unknown, what: string, notes: string[]): string[] {
  const r = record(v);
  if (!r) return [];
  const all = Object.keys(r);
  if (all.length > IMAGE_CONFIG_LIMITS.listItems) notes.push(`${what}: the first ${IMAGE_CONFIG_LIMITS.listItems} of ${all.length} shown.`);
  return all.slice(0, IMAGE_CONFIG_LIMITS.listItems).map(cap);
}

function isoTime(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export interface ManifestLayer {
  digest: string;
  size: number | null;
  mediaType: string | null;
}

/** The `layers` of an image manifest, in order; entries without a digest keep their place. */
function manifestLayers(manifest: unknown): ManifestLayer[] {
  const m = record(manifest);
  if (!m || !Array.isArray(m.layers)) return [];
  return m.layers.slice(0, IMAGE_CONFIG_LIMITS.layers).map((l) => {
    const d = record(l);
    const size = d && typeof d.size === 'number' && Number.isSafeInteger(d.size) && d.size >= 0 ? d.size : null;
    return { digest: (d && typeof d.digest === 'string' ? cap(d.digest) : '') || 'unknown', size, mediaType: d && typeof d.mediaType === 'string' ? cap(d.mediaType) : null };
  });
}

/**
 * Pairs history with layers the way Docker does: each history entry that is not `empty_layer`
 * produced the next layer in order. Layers left over (history missing or cut) get a step of their
 * own; steps that claim a layer the manifest does not have say so in the notes.
 */
export function alignHistory(history: unknown, layers: readonly ManifestLayer[], notes: string[]): ImageStep[] {
  const entries = Array.isArray(history) ? history : [];
  if (entries.length > IMAGE_CONFIG_LIMITS.steps) notes.push(`History: the first ${IMAGE_CONFIG_LIMITS.steps} of ${entries.length} steps shown.`);
  const steps: ImageStep[] = [];
  let next = 0;
  let missing = 0;
  for (const raw of entries.slice(0, IMAGE_CONFIG_LIMITS.steps)) {
    const h = record(raw) ?? {};
    const emptyLayer = h.empty_layer === true;
    const step: ImageStep = { createdBy: text(h.created_by) ?? '', emptyLayer, layer: null };
    const created = isoTime(h.created);
    const comment = text(h.comment);
    if (created !== undefined) step.created = created;
    if (comment !== undefined) step.comment = comment;
    if (!emptyLayer) {
      const layer = layers[next];
      if (layer) step.layer = { ...layer };
      else missing++;
      next++;
    }
    steps.push(step);
  }
  if (entries.length <= IMAGE_CONFIG_LIMITS.steps) {
    if (missing > 0) notes.push(`The history names ${missing} more layer${missing === 1 ? '' : 's'} than the manifest has.`);
    if (next < layers.length) notes.push(`${layers.length - next} layer${layers.length - next === 1 ? ' has' : 's have'} no history entry.`);
  }
  for (const layer of layers.slice(Math.min(next, layers.length))) {
    if (entries.length > IMAGE_CONFIG_LIMITS.steps) break;
    steps.push({ createdBy: '', emptyLayer: false, layer: { ...layer } });
  }
  return steps;
}

export interface ImageConfigSource {
  repository: string;
  digest: string;
  manifestDigest: string;
  configDigest: string;
  /** The image manifest, parsed JSON. */
  manifest: unknown;
  /** The config blob, parsed JSON. */
  config: unknown;
  configSize: number;
  platforms?: PlatformChild[];
  platform?: string;
}

/** The view of one image from its manifest and config (both already checked against their digests). */
export function describeImage(src: ImageConfigSource): ImageConfigDocument {
  const notes: string[] = [];
  const c = record(src.config) ?? {};
  const rc = record(c.config) ?? record(c.container_config) ?? {};
  const layers = manifestLayers(src.manifest);
  const labelsIn = record(rc.Labels) ?? {};
  const labelKeys = Object.keys(labelsIn).sort();
  if (labelKeys.length > IMAGE_CONFIG_LIMITS.labels) notes.push(`Labels: the first ${IMAGE_CONFIG_LIMITS.labels} of ${labelKeys.length} shown.`);
  const labels: Record<string, string> = {};
  for (const k of labelKeys.slice(0, IMAGE_CONFIG_LIMITS.labels)) {
    const v = labelsIn[k];
    if (typeof v === 'string') labels[cap(k)] = cap(v);
  }
  const known = layers.every((l) => l.size !== null);
  const doc: ImageConfigDocument = {
    repository: src.repository,
    digest: src.digest,
    manifestDigest: src.manifestDigest,
    configDigest: src.configDigest,
    configSize: src.configSize,
    entrypoint: strings(rc.Entrypoint, 'Entrypoint', notes),
    cmd: strings(rc.Cmd, 'Cmd', notes),
    env: strings(rc.Env, 'Env', notes) ?? [],
    exposedPorts: keys(rc.ExposedPorts, 'Exposed ports', notes),
    volumes: keys(rc.Volumes, 'Volumes', notes),
    labels,
    steps: alignHistory(c.history, layers, notes),
    layersSize: known ? layers.reduce((sum, l) => sum + (l.size ?? 0), 0) : null,
    layerCount: layers.length,
    notes,
    text: '',
  };
  if (src.platforms) doc.platforms = src.platforms;
  if (src.platform) doc.platform = src.platform;
  const optional: [keyof ImageConfigDocument, string | undefined][] = [
    ['os', text(c.os)],
    ['architecture', text(c.architecture)],
    ['variant', text(c.variant)],
    ['created', isoTime(c.created)],
    ['author', text(c.author)],
    ['workingDir', text(rc.WorkingDir)],
    ['user', text(rc.User)],
    ['stopSignal', text(rc.StopSignal)],
  ];
  for (const [k, v] of optional) if (v !== undefined) (doc as unknown as Record<string, unknown>)[k] = v;
  const pretty = JSON.stringify(src.config, null, 2) ?? '';
  doc.text = pretty.length > IMAGE_CONFIG_LIMITS.textChars ? `${pretty.slice(0, IMAGE_CONFIG_LIMITS.textChars)}\n… (cut at ${IMAGE_CONFIG_LIMITS.textChars} characters)` : pretty;
  return doc;
}

/**
 * The child an index shows by default: the one asked for when it is a child, else the first with
 * a real platform (BuildKit adds `unknown/unknown` attestation manifests), else the first.
 */
export function pickPlatform(platforms: readonly PlatformChild[], wanted: string | undefined): PlatformChild | undefined {
  if (wanted !== undefined) {
    const hit = platforms.find((p) => p.digest === wanted);
    if (hit) return hit;
  }
  return platforms.find((p) => p.os !== undefined && p.os !== 'unknown') ?? platforms[0];
}

export function platformName(p: Pick<PlatformChild, 'os' | 'architecture' | 'variant'>): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/') || 'unknown';
}
