import { createHash } from 'node:crypto';
import type { ImplementationInfo } from '../../../../../shared/registry/catalogue';
import { CATALOGUE } from '../../../../../shared/registry/catalogue';
import type { DriverContext } from '../../../inventory/types';
import type { DeleteGroup, MutationOutcome, RestoreEntry, TagDeleteResult } from '../../../registries/types';
import type { Listing, ManifestRead, RegistryReads, Resolution } from '../registry-reads';

/**
 * Test-only: a registry in memory with distribution's semantics (deleting a manifest by digest
 * removes every tag on it), as both the executor's reads and a driver's mutations. It records every
 * tag a delete took away that was not in the group it was asked for — the loss a cleanup must never
 * cause — and lets a test act in the middle of a run (push a tag, cancel, crash).
 */
export class MemoryRegistry {
  readonly tags = new Map<string, Map<string, string>>();
  readonly manifests = new Map<string, { body: Buffer; mediaType: string }>();
  /** Tags removed as collateral of a digest delete (not in the group's tags). */
  readonly collateral: string[] = [];
  readonly calls: string[] = [];
  info: ImplementationInfo = CATALOGUE.default;
  meteredGets = false;
  /** Called before each group is deleted (to race the run). */
  beforeDelete?: (group: DeleteGroup) => void | Promise<void>;
  /** Replaces the delete's answer (failures, partial results). */
  answer?: (group: DeleteGroup, actual: () => TagDeleteResult[]) => Promise<TagDeleteResult[]> | TagDeleteResult[];
  failResolve = new Set<string>();
  /** Tags the listing leaves out while saying it may be partial (a registry's listing cap). */
  unlisted = new Set<string>();

  push(repository: string, tag: string, content: string): string {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: { content } }));
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    this.manifests.set(`${repository}@${digest}`, { body, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    let repo = this.tags.get(repository);
    if (!repo) {
      repo = new Map();
      this.tags.set(repository, repo);
    }
    repo.set(tag, digest);
    return digest;
  }

  digestOf(repository: string, tag: string): string | undefined {
    return this.tags.get(repository)?.get(tag);
  }

  reads(): RegistryReads {
    return {
      meteredGets: this.meteredGets,
      listTags: (repository): Promise<Listing> => {
        this.calls.push(`LIST ${repository}`);
        const listed = [...(this.tags.get(repository) ?? new Map<string, string>()).keys()].filter((t) => !this.unlisted.has(t));
        return Promise.resolve({ ok: true, tags: new Map(listed.map((t) => [t, null])), ...(this.unlisted.size > 0 ? { incomplete: 'capped at some tags' } : {}) });
      },
      resolve: (repository, tag): Promise<Resolution> => {
        this.calls.push(`HEAD ${repository}:${tag}`);
        if (this.failResolve.has(tag)) return Promise.resolve({ state: 'unknown', message: `HEAD ${tag} → HTTP 500` });
        const d = this.digestOf(repository, tag);
        return Promise.resolve(d ? { state: 'present', digest: d, mediaType: this.manifests.get(`${repository}@${d}`)?.mediaType ?? null } : { state: 'gone' });
      },
      readManifest: (repository, digest): Promise<ManifestRead> => {
        this.calls.push(`GET ${repository}@${digest}`);
        const m = this.manifests.get(`${repository}@${digest}`);
        return Promise.resolve(m ? { ok: true, body: m.body, mediaType: m.mediaType } : { ok: false, message: 'manifest unknown' });
      },
    };
  }

  /** The mutations as a driver (ctx unused: nothing here goes over the network). */
  driver(): { info: ImplementationInfo; deleteTags(ctx: DriverContext, g: DeleteGroup): Promise<TagDeleteResult[]>; restoreTag(ctx: DriverContext, e: RestoreEntry): Promise<MutationOutcome> } {
    const reg = this;
    return {
      get info() {
        return reg.info;
      },
      async deleteTags(_ctx, group) {
        await reg.beforeDelete?.(group);
        const actual = (): TagDeleteResult[] => reg.#delete(group);
        return reg.answer ? reg.answer(group, actual) : actual();
      },
      restoreTag(_ctx, entry) {
        if (entry.manifest === null) return Promise.resolve({ ok: false, error: { code: 'no-manifest', message: 'No manifest recorded.' } });
        reg.calls.push(`PUT ${entry.repository}:${entry.tag}`);
        const body = Buffer.from(entry.manifest, 'base64');
        reg.manifests.set(`${entry.repository}@${entry.digest}`, { body, mediaType: entry.mediaType ?? 'application/vnd.oci.image.manifest.v1+json' });
        let repo = reg.tags.get(entry.repository);
        if (!repo) {
          repo = new Map();
          reg.tags.set(entry.repository, repo);
        }
        repo.set(entry.tag, entry.digest);
        return Promise.resolve({ ok: true, detail: `PUT /v2/${entry.repository}/manifests/${entry.tag}` });
      },
    };
  }

  #delete(group: DeleteGroup): TagDeleteResult[] {
    const repo = this.tags.get(group.repository) ?? new Map<string, string>();
    if (group.digestGoes) {
      this.calls.push(`DELETE ${group.repository}@${group.digest}`);
      if (!this.manifests.delete(`${group.repository}@${group.digest}`)) return group.tags.map((tag) => ({ tag, outcome: 'already-gone', method: 'DELETE manifest' }));
      const removed: string[] = [];
      for (const [tag, d] of repo) if (d === group.digest) removed.push(tag);
      for (const tag of removed) {
        repo.delete(tag);
        if (!group.tags.includes(tag)) this.collateral.push(`${group.repository}:${tag}`);
      }
      return group.tags.map((tag) => ({ tag, outcome: removed.includes(tag) ? 'deleted' : 'already-gone', method: 'DELETE /v2/<name>/manifests/<digest>' }));
    }
    return group.tags.map((tag) => {
      this.calls.push(`UNTAG ${group.repository}:${tag}`);
      if (repo.get(tag) !== group.digest) return { tag, outcome: 'already-gone', method: 'untag' };
      repo.delete(tag);
      return { tag, outcome: 'untagged', method: 'untag' };
    });
  }
}
