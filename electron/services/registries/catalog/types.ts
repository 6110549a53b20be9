import type { CatalogRepository } from '../../../../shared/api/registries';
import type { DriverContext, DriverFailure } from '../../inventory/types';

/**
 * How a registry lists its repositories: the Registry API's `/v2/_catalog` where it is allowed,
 * the registry's own project/repository list where it is not (registry-apis.md per vendor). One
 * member of every RegistryDriver (`catalog`), so a registry cannot be added without saying how.
 */
export interface CatalogLister {
  /**
   * Whether the list needs a namespace to start from (a Quay namespace, a GitHub owner, a GitLab
   * project, a Docker Hub namespace, a Google project/repository). The service fills it from the
   * registry's recent images repos when the user gave none.
   */
  readonly needsNamespace: boolean | ((ctx: DriverContext) => boolean);
  /**
   * Repositories page by page, as they arrive. Ends after its last page, or with `failed` (the
   * repositories already yielded stay). Never throws.
   */
  list(ctx: DriverContext, namespace: string | undefined): AsyncIterable<CatalogEvent>;
}

export type CatalogEvent =
  /** Which call lists (shown with the result); the last one said wins (a fallback says its own). */
  | { type: 'source'; source: string }
  | { type: 'repositories'; repositories: CatalogRepository[] }
  /** Part of the catalog could not be listed (a project closed to this login): the listing goes on but is not complete. */
  | { type: 'incomplete'; warning: string }
  /** `refused`: the registry closed its catalog to this login (a permission it lacks), reported as `catalog-refused`. */
  | { type: 'failed'; failure: DriverFailure; refused?: boolean };
