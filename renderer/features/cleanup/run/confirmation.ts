import type { CleanupPlan } from '../../../../shared/cleanup/types';
import type { DeletionMethod, ImplementationInfo } from '../../../../shared/registry/catalogue';
import { implementationInfo, isImplementation } from '../../../../shared/registry/implementation-registry';
import type { Implementation } from '../../../../shared/registry/implementations';

type Catalogue = (implementation: Implementation) => ImplementationInfo;

/**
 * What the "Delete N tags" confirmation says, from the reviewed plan and the registry's catalogue
 * entry. Pure, so every sentence the dialog shows is tested without a browser.
 */

/** A digest that loses some of its tags while others stay on it: the manifest must survive. */
export interface SharedDigestOutcome {
  repository: string;
  digest: string;
  going: string[];
  staying: string[];
}

export interface UsedMethod extends DeletionMethod {
  /** How many of the plan's tags go this way. */
  tags: number;
}

export interface ConfirmationSummary {
  /** Tags the run removes. */
  tags: number;
  /** Tags that go with their digest (no tag stays on it). */
  withDigest: number;
  /** Tags removed while their manifest stays for the tags that share it. */
  untagged: number;
  manifestsFreed: number;
  repositories: string[];
  implementation: Implementation | null;
  registryTitle: string;
  /** The registry calls the run makes; null where the plan needs none of that kind. */
  digestMethod: UsedMethod | null;
  untagMethod: UsedMethod | null;
  /** Tags to untag where the registry has no untag: the run skips them and says why. */
  cannotUntag: number;
  /** Some tag the run removes cannot be brought back by Stowage (Docker Hub), or the registry is unknown. */
  irreversible: boolean;
  /** Some tag comes back only through the registry's own restore, within its window (Quay, GitHub). */
  nativeUndo: boolean;
  sharedDigests: SharedDigestOutcome[];
  storageNote: string | null;
}

export function confirmationSummary(plan: CleanupPlan, catalogue: Catalogue = implementationInfo): ConfirmationSummary {
  const implementation = isImplementation(plan.implementation) ? plan.implementation : null;
  const info = implementation ? catalogue(implementation) : null;
  const deletes = plan.tags.filter((t) => t.action === 'delete' && t.digest !== null);
  const withDigest = deletes.filter((t) => t.method !== 'tag').length;
  const untagged = deletes.length - withDigest;

  // Tags per digest, to name the digests that keep some of their tags.
  const byDigest = new Map<string, { repository: string; digest: string; going: string[]; staying: string[] }>();
  for (const t of plan.tags) {
    if (t.digest === null) continue;
    const key = `${t.repository}@${t.digest}`;
    let group = byDigest.get(key);
    if (!group) byDigest.set(key, (group = { repository: t.repository, digest: t.digest, going: [], staying: [] }));
    (t.action === 'delete' ? group.going : group.staying).push(t.tag);
  }
  const sharedDigests = [...byDigest.values()]
    .filter((g) => g.going.length > 0 && g.staying.length > 0)
    .map((g) => ({ ...g, going: [...g.going].sort(), staying: [...g.staying].sort() }))
    .sort((a, b) => a.repository.localeCompare(b.repository) || a.digest.localeCompare(b.digest));

  const digestMethod = info && withDigest > 0 ? { ...info.deletion.digest, tags: withDigest } : null;
  const untagMethod = info?.deletion.untag && untagged > 0 ? { ...info.deletion.untag, tags: untagged } : null;
  const cannotUntag = info && !info.deletion.untag ? untagged : 0;
  const used = [digestMethod, untagMethod].filter((m): m is UsedMethod => m !== null);

  return {
    tags: deletes.length,
    withDigest,
    untagged,
    manifestsFreed: plan.summary.manifestsFreed,
    repositories: [...new Set(deletes.map((t) => t.repository))].sort(),
    implementation,
    registryTitle: info?.title ?? plan.implementation,
    digestMethod,
    untagMethod,
    cannotUntag,
    irreversible: info === null ? deletes.length > 0 : used.some((m) => m.undo === 'none'),
    nativeUndo: used.some((m) => m.undo === 'native'),
    sharedDigests,
    storageNote: info?.deletion.storageNote ?? null,
  };
}

/** Whether the plan view must warn before anything is deleted: some delete cannot be undone. */
export function undoWarning(implementation: string, catalogue: Catalogue = implementationInfo): string | null {
  if (!isImplementation(implementation)) return 'Stowage does not know how this registry deletes: a deleted tag may not be restorable.';
  const d = catalogue(implementation).deletion;
  if (d.digest.undo === 'none' || d.untag?.undo === 'none') {
    return `${catalogue(implementation).title} has no way to put a deleted tag back through its API: Stowage cannot restore what this run deletes. Push the image again to bring a tag back.`;
  }
  return null;
}
