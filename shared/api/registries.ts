import type { CheckStatus, RegistrySettings } from '../credentials/types';
import type { Implementation } from '../registry/implementations';

/*
 * The Registries page and catalog browsing (issue #15 items 2 and 3): what the main process tells
 * the window about every registry it knows of, and the repositories a registry lists.
 */

/** Where Stowage learned of a registry. */
export type RegistryOrigin = 'docker-config' | 'saved-credential' | 'environment' | 'cloud' | 'settings' | 'added' | 'recent';

/** Whether a credential is there for the registry, as far as Stowage can tell without using it. */
export type LoginState = 'found' | 'none' | 'expired' | 'unusable';

export interface RegistryLogin {
  state: LoginState;
  /** The source the resolver would use first (`docker config.json`, `saved in Stowage`, …). */
  source?: string;
  sourceDetail?: string;
  username?: string;
  expiresAt?: string;
  problem?: string;
  hint?: string;
}

/** The last "Test" of a registry: remembered in the settings folder, per registry. */
export interface LastRegistryTest {
  /** ISO time the test finished. */
  at: string;
  imagesRepo: string;
  /** Every step passed or warned; false when one failed. */
  ok: boolean;
  readOk: boolean;
  /** The first failed step's title and detail, or the last step's when all passed. */
  summary: string;
  steps: { name: string; title: string; status: CheckStatus }[];
}

export interface KnownRegistry {
  /** host[:port], lower case (Docker Hub: `index.docker.io`). */
  registry: string;
  implementation: Implementation;
  /** Why this implementation: the saved setting, the entry the user added, or detection from the host. */
  implementationSource: 'setting' | 'detected';
  implementationTitle: string;
  origins: RegistryOrigin[];
  login: RegistryLogin;
  lastTest: LastRegistryTest | null;
  settings: RegistrySettings | null;
  /** Images repos used with this registry lately, newest first (a catalog's default namespace). */
  recentRepos: string[];
  /** Stowage keeps something of its own for it (an entry, settings, a saved credential, a test): Remove forgets those. */
  removable: boolean;
}

export interface RegistriesView {
  registries: KnownRegistry[];
  /** A docker config that could not be read, or similar: shown above the list. */
  notes: string[];
}

export interface AddRegistryInput {
  registry: string;
  implementation?: Implementation;
}

/** One repository of a registry's catalog. */
export interface CatalogRepository {
  /** The repository path under the registry (`shop/legacy-api`). */
  name: string;
  /** Tags it has, when the list told (GitLab's tags_count) or once counted; absent = not known yet. */
  tagCount?: number;
  /**
   * Artifacts the registry itself counts in it (Harbor's `artifact_count`: images and indexes,
   * tagged or not), when its list tells. Not a tag count; a row that has it needs no tags counted.
   */
  artifactCount?: number;
  /** ISO time of the last change, when the list tells it. */
  updated?: string;
}

export interface CatalogRequest {
  registry: string;
  implementation: Implementation | 'auto';
  /**
   * Where to list, for registries whose list needs one: a Quay namespace, a GitHub owner, a GitLab
   * project path, a Docker Hub namespace, a Google `project/repository`. Optional elsewhere
   * (a prefix filter on the result).
   */
  namespace?: string;
}

export interface CatalogResult {
  registry: string;
  implementation: Implementation;
  /** The call that listed (`GET /v2/_catalog`, `Harbor projects + repositories`, …). */
  source: string;
  repositories: number;
  /** False when the listing stopped early (a cap, a failure after some pages). */
  complete: boolean;
  warnings: string[];
  durationMs: number;
}

export interface TagCount {
  repository: string;
  /** null when it could not be counted (`error` says why). */
  tags: number | null;
  error?: string;
}
