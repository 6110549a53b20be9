import { createHash } from 'node:crypto';

export interface ManifestRecord {
  digest: string;
  mediaType: string;
  /** Compressed image size: config + layers; for an index, the sum of its known children. */
  size: number;
  pushedAt: Date;
  lastPulledAt?: Date;
  /** Child manifest digests when this is an index. */
  children: string[];
  configDigest?: string;
  platform?: { os: string; architecture: string };
  /** Config `created` when known (read from the pushed config blob, or given to `addImage`). */
  created?: Date;
  /** Config labels when known; vendors that parse configs (Harbor) show them. */
  labels?: Record<string, string>;
}

export interface TagRecord {
  digest: string;
  updatedAt: Date;
  /** Vendor flags (ACR lock, Harbor/Hub immutability) the emulators honour on delete. */
  immutable?: boolean;
}

export interface RepoRecord {
  name: string;
  createdAt: Date;
  tags: Map<string, TagRecord>;
  manifests: Map<string, ManifestRecord>;
  pullCount: number;
}

export interface AddImageInput {
  digest?: string;
  tags?: string[];
  mediaType?: string;
  size?: number;
  pushedAt?: Date | string;
  children?: string[];
  configDigest?: string;
  platform?: { os: string; architecture: string };
  created?: Date | string;
  labels?: Record<string, string>;
  lastPulledAt?: Date | string;
}

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export function isIndexType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

/**
 * The registry as vendor APIs see it: repositories, tags → digests and manifest metadata. Tags live
 * here (not in the backing distribution) so vendors that can untag (ACR, GCR, Quay, GitLab) work,
 * and listing tests can add thousands of images without pushing bytes.
 */
export class RegistryState {
  readonly repos = new Map<string, RepoRecord>();
  private readonly ids = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private synthetic = 0;

  repo(name: string): RepoRecord | undefined {
    return this.repos.get(name);
  }

  ensureRepo(name: string, createdAt = new Date()): RepoRecord {
    let r = this.repos.get(name);
    if (!r) {
      r = { name, createdAt, tags: new Map(), manifests: new Map(), pullCount: 0 };
      this.repos.set(name, r);
    }
    return r;
  }

  deleteRepo(name: string): boolean {
    return this.repos.delete(name);
  }

  repositories(): string[] {
    return [...this.repos.keys()].sort();
  }

  /** Records an image without any bytes behind it (for listing tests); returns its record. */
  addImage(repo: string, input: AddImageInput = {}): ManifestRecord {
    const r = this.ensureRepo(repo);
    const digest = input.digest ?? `sha256:${createHash('sha256').update(`stowage-synthetic-${repo}-${++this.synthetic}`).digest('hex')}`;
    const pushedAt = input.pushedAt === undefined ? new Date() : new Date(input.pushedAt);
    const record: ManifestRecord = {
      digest,
      mediaType: input.mediaType ?? MANIFEST_V2,
      size: input.size ?? 1024,
      pushedAt,
      children: input.children ?? [],
      configDigest: input.configDigest,
      platform: input.platform,
      ...(input.created !== undefined ? { created: new Date(input.created) } : {}),
      ...(input.labels !== undefined ? { labels: { ...input.labels } } : {}),
      ...(input.lastPulledAt !== undefined ? { lastPulledAt: new Date(input.lastPulledAt) } : {}),
    };
    r.manifests.set(digest, record);
    for (const t of input.tags ?? []) r.tags.set(t, { digest, updatedAt: pushedAt });
    return record;
  }

  setTag(repo: string, tag: string, digest: string, at = new Date()): void {
    const r = this.ensureRepo(repo);
    r.tags.set(tag, { digest, updatedAt: at });
  }

  /** Removes one tag, keeping the manifest (it becomes untagged if it was the last tag). */
  untag(repo: string, tag: string): string | undefined {
    const r = this.repos.get(repo);
    const t = r?.tags.get(tag);
    if (!r || !t) return undefined;
    r.tags.delete(tag);
    return t.digest;
  }

  /** Deletes a manifest and every tag on it; returns the removed tags, or null if unknown. */
  deleteManifest(repo: string, digest: string): string[] | null {
    const r = this.repos.get(repo);
    if (!r || !r.manifests.has(digest)) return null;
    const removed = this.tagsOf(repo, digest);
    for (const t of removed) r.tags.delete(t);
    r.manifests.delete(digest);
    return removed;
  }

  resolve(repo: string, ref: string): string | undefined {
    const r = this.repos.get(repo);
    if (!r) return undefined;
    if (ref.includes(':')) return r.manifests.has(ref) ? ref : undefined;
    return r.tags.get(ref)?.digest;
  }

  manifest(repo: string, digest: string): ManifestRecord | undefined {
    return this.repos.get(repo)?.manifests.get(digest);
  }

  tagsOf(repo: string, digest: string): string[] {
    const r = this.repos.get(repo);
    if (!r) return [];
    return [...r.tags.entries()].filter(([, t]) => t.digest === digest).map(([name]) => name).sort();
  }

  listTags(repo: string): string[] {
    return [...(this.repos.get(repo)?.tags.keys() ?? [])].sort();
  }

  /** Manifests newest first (ties by digest), the order vendor listings mostly use. */
  listManifests(repo: string): ManifestRecord[] {
    return [...(this.repos.get(repo)?.manifests.values() ?? [])].sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime() || a.digest.localeCompare(b.digest));
  }

  /** Index manifests that list `digest` as a child. */
  parents(repo: string, digest: string): string[] {
    return [...(this.repos.get(repo)?.manifests.values() ?? [])].filter((m) => m.children.includes(digest)).map((m) => m.digest);
  }

  /** A stable small integer per key (vendor ids: GitHub versions, GitLab repositories, Harbor artifacts). */
  idOf(kind: string, key: string): number {
    const k = `${kind}|${key}`;
    let id = this.ids.get(k);
    if (id === undefined) {
      id = (this.counters.get(kind) ?? 0) + 1;
      this.counters.set(kind, id);
      this.ids.set(k, id);
    }
    return id;
  }

  /** Reverse of `idOf`. */
  keyOf(kind: string, id: number): string | undefined {
    for (const [k, v] of this.ids) if (v === id && k.startsWith(`${kind}|`)) return k.slice(kind.length + 1);
    return undefined;
  }
}
