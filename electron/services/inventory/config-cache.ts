import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the inventory needs from an image config blob. Configs are immutable (content-addressed),
 * so this never goes stale; only the extraction rules can change, hence the version in the path.
 */
export interface ConfigFacts {
  created?: string;
  labels?: Record<string, string>;
}

const VERSION = 'configs-v1';
/** An entry is a small JSON extract; anything bigger is not what we wrote. */
const MAX_ENTRY_BYTES = 64 * 1024;
const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The on-disk cache of config extracts: `<dir>/configs-v1/<2 hex>/<64 hex>.json`, JSON only,
 * written to a temp file and renamed so a reader never sees half an entry, capped in total size
 * (oldest entries go first). Only sha256 digests are cached: the key must be a verified hash of
 * the bytes the facts came from, and that is what the engine checks before `put`.
 * Failures never fail a listing: a broken cache only means more requests.
 */
export class ConfigCache {
  readonly root: string;
  readonly #maxBytes: number;
  readonly #shards = new Set<string>();
  readonly #writes = new Set<Promise<void>>();
  #prune: Promise<void> | null = null;
  #disabled = false;
  /** First problem seen, for a single warning. */
  problem: string | null = null;

  constructor(cacheDir: string, opts: { maxBytes?: number } = {}) {
    this.root = join(cacheDir, VERSION);
    this.#maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  }

  #path(digest: string): string | null {
    if (!digest.startsWith('sha256:')) return null;
    const hex = digest.slice(7);
    if (!SHA256_HEX.test(hex)) return null;
    return join(this.root, hex.slice(0, 2), `${hex}.json`);
  }

  async get(digest: string): Promise<ConfigFacts | null> {
    const path = this.#path(digest);
    if (path === null || this.#disabled) return null;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return null;
    }
    if (text.length > MAX_ENTRY_BYTES) return null;
    try {
      return validFacts(JSON.parse(text));
    } catch {
      // A torn or foreign file: treat as a miss; the next put replaces it.
      return null;
    }
  }

  /** Queues an atomic write; `flush()` waits for all of them. */
  put(digest: string, facts: ConfigFacts): void {
    const path = this.#path(digest);
    if (path === null || this.#disabled) return;
    const body = JSON.stringify(facts);
    if (body.length > MAX_ENTRY_BYTES) return;
    const p = this.#write(path, body).catch((error: unknown) => {
      this.problem ??= `The config cache in ${this.root} cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)}); configs will be fetched again next time.`;
      this.#disabled = true;
    });
    this.#writes.add(p);
    void p.finally(() => this.#writes.delete(p));
  }

  async #write(path: string, body: string): Promise<void> {
    const shard = join(path, '..');
    if (!this.#shards.has(shard)) {
      await mkdir(shard, { recursive: true });
      this.#shards.add(shard);
    }
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, body, { mode: 0o600 });
    try {
      await rename(tmp, path);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Starts pruning in the background when the last prune is older than six hours: a directory
   * walk over thousands of files is not worth doing on every listing.
   */
  maybePrune(): void {
    if (this.#prune) return;
    this.#prune = (async () => {
      const marker = join(this.root, '.pruned');
      try {
        const s = await stat(marker);
        if (Date.now() - s.mtimeMs < PRUNE_EVERY_MS) return;
      } catch {
        // No marker: never pruned (or a fresh cache).
      }
      await this.prune();
      await mkdir(this.root, { recursive: true });
      // Rewriting the marker sets its mtime: the time of this prune.
      await writeFile(marker, '').catch(() => undefined);
    })().catch(() => undefined);
  }

  /** Removes the oldest entries until the cache fits its cap. */
  async prune(): Promise<{ removed: number; bytes: number }> {
    let shards: string[];
    try {
      shards = await readdir(this.root);
    } catch {
      return { removed: 0, bytes: 0 };
    }
    const entries: { path: string; size: number; mtime: number }[] = [];
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      let names: string[];
      try {
        names = await readdir(join(this.root, shard));
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(this.root, shard, name);
        try {
          const s = await stat(path);
          // Temp files left by a crash are garbage whatever their age.
          if (name.endsWith('.tmp') && Date.now() - s.mtimeMs > 60_000) {
            await unlink(path).catch(() => undefined);
            continue;
          }
          entries.push({ path, size: s.size, mtime: s.mtimeMs });
        } catch {
          // Removed meanwhile.
        }
      }
    }
    let bytes = entries.reduce((n, e) => n + e.size, 0);
    let removed = 0;
    if (bytes <= this.#maxBytes) return { removed, bytes };
    entries.sort((a, b) => a.mtime - b.mtime);
    for (const e of entries) {
      if (bytes <= this.#maxBytes * 0.9) break;
      await unlink(e.path).catch(() => undefined);
      bytes -= e.size;
      removed++;
    }
    return { removed, bytes };
  }

  /** Waits for queued writes and a running prune. */
  async flush(): Promise<void> {
    while (this.#writes.size > 0) await Promise.all([...this.#writes]);
    if (this.#prune) await this.#prune;
  }
}

function validFacts(v: unknown): ConfigFacts | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const out: ConfigFacts = {};
  if (o.created !== undefined) {
    if (typeof o.created !== 'string') return null;
    out.created = o.created;
  }
  if (o.labels !== undefined) {
    if (typeof o.labels !== 'object' || o.labels === null || Array.isArray(o.labels)) return null;
    const labels: Record<string, string> = {};
    for (const [k, val] of Object.entries(o.labels)) {
      if (typeof val !== 'string') return null;
      labels[k] = val;
    }
    out.labels = labels;
  }
  return out;
}
