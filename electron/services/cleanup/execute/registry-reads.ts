import type { DriverContext } from '../../inventory/types';
import { errorText, getManifest, headManifest } from '../../inventory/registry-api';
import type { RegistryDriver } from '../../registries/types';

/**
 * What a cleanup run reads from the registry before it deletes anything, and a restore after it
 * wrote: a fresh tag listing, a tag resolved to its digest now, and a manifest's bytes. The
 * executor only sees this interface, so its decisions are tested against an in-memory registry
 * and run for real through any driver.
 */

export type Resolution =
  | { state: 'present'; digest: string; mediaType: string | null }
  /** The registry says the tag does not exist (404). */
  | { state: 'gone' }
  /** The registry could not say: such a tag is never deleted. */
  | { state: 'unknown'; message: string; hint?: string };

export type Listing =
  /**
   * The tags the repository holds now; a digest where the listing itself knows it, else null.
   * `incomplete`: the registry may have left tags out (a listing cap), so a tag's absence proves
   * nothing and some tag may point at any manifest.
   */
  | { ok: true; tags: Map<string, string | null>; incomplete?: string }
  | { ok: false; message: string; hint?: string };

export type ManifestRead = { ok: true; body: Buffer; mediaType: string | null } | { ok: false; message: string };

export interface RegistryReads {
  /** Manifest GETs are metered here (Docker Hub pulls): resolve with HEAD only and keep no bytes. */
  readonly meteredGets: boolean;
  listTags(repository: string): Promise<Listing>;
  resolve(repository: string, tag: string): Promise<Resolution>;
  readManifest(repository: string, digest: string): Promise<ManifestRead>;
}

/** The reads of a real registry: the driver's own listing, then the Registry API's HEAD / GET of manifests. */
export function driverReads(driver: Pick<RegistryDriver, 'listing' | 'info'>, ctx: DriverContext): RegistryReads {
  return {
    meteredGets: driver.info.capabilities.meteredManifestGets || driver.listing.meteredManifestGets === true,
    async listTags(repository) {
      const tags = new Map<string, string | null>();
      let incomplete: string | undefined;
      let unreadable = 0;
      for await (const ev of driver.listing.listTags(ctx, repository)) {
        if (ev.type === 'tags') {
          for (const t of ev.tags) {
            if (!t.error) tags.set(t.tag, t.digest ?? null);
            else unreadable++;
          }
        } else if (ev.type === 'failed') {
          return { ok: false, message: ev.failure.message, ...(ev.failure.hint !== undefined ? { hint: ev.failure.hint } : {}) };
        } else if (ev.type !== 'missing') {
          // Any other word from the listing (a registry that caps its tag list) means "maybe not all".
          const said = (ev as { message?: unknown }).message;
          incomplete = typeof said === 'string' ? said : 'the listing may have left tags out';
        }
        // `missing`: the repository is gone, so every tag of it is.
      }
      // A listed name we could not read may point at any manifest.
      if (unreadable > 0) incomplete ??= `${unreadable} listed name(s) could not be read`;
      return { ok: true, tags, ...(incomplete !== undefined ? { incomplete } : {}) };
    },
    async resolve(repository, tag) {
      const r = await headManifest(ctx, repository, tag);
      if (r.ok) return { state: 'present', digest: r.value.digest, mediaType: r.value.mediaType };
      if (r.httpError?.status === 404) return { state: 'gone' };
      return { state: 'unknown', message: r.httpError ? errorText(r.httpError) : r.error, ...(r.httpError?.hint !== undefined ? { hint: r.httpError.hint } : {}) };
    },
    async readManifest(repository, digest) {
      const r = await getManifest(ctx, repository, digest);
      return r.ok ? { ok: true, body: r.value.body, mediaType: r.value.mediaType } : { ok: false, message: r.error };
    },
  };
}
