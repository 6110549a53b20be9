import type { Implementation } from '../registry/implementations';

/**
 * Credential types that cross to the renderer and the CLI. None of them carries a secret: the
 * renderer only ever sees where a credential comes from, what kind it is and whether it works.
 */
export type CredentialSource =
  | 'docker-auth-config-env' // $DOCKER_AUTH_CONFIG
  | 'docker-config' // auths in config.json
  | 'credential-helper' // credsStore / credHelpers
  | 'werf-env' // WERF_REPO_DOCKER_HUB_*, WERF_REPO_GITHUB_TOKEN, images-repo variants
  | 'github-env' // GITHUB_TOKEN (+ GITHUB_ACTOR)
  | 'gitlab-ci-env' // CI_REGISTRY, CI_REGISTRY_USER/PASSWORD, CI_JOB_TOKEN
  | 'aws-chain' // @aws-sdk/credential-providers default chain
  | 'azure-chain' // @azure/identity DefaultAzureCredential
  | 'google-token' // GOOGLE_OAUTH_ACCESS_TOKEN or the gcloud helper
  | 'saved' // entered in Stowage, encrypted with safeStorage (or a 0600 file in the browser host, opt-in)
  | 'session'; // entered in the browser host, kept for this run only

/** `unknown` is for sources that exist but could not be read (a damaged file, a missing helper). */
export type CredentialKind = 'basic' | 'identity-token' | 'registry-token' | 'bearer-token' | 'aws' | 'azure' | 'google-token' | 'unknown';

export interface CredentialSummary {
  /** Registry host[:port] the credential is for (Docker Hub is `index.docker.io`). */
  registry: string;
  source: CredentialSource;
  /** Where exactly, e.g. `~/.docker/config.json auths["https://index.docker.io/v1/"]` or `docker-credential-pass`. */
  sourceDetail: string;
  kind: CredentialKind;
  /** Safe to show: a user name, never a password or token. */
  username?: string;
  /** ISO time when a token-based credential stops working (ECR tokens last 12 h). */
  expiresAt?: string;
  /** False when the source exists but cannot give a credential (helper missing, token expired). */
  usable: boolean;
  problem?: string;
  hint?: string;
}

/** Per-registry connection settings; TLS relaxations are opt-ins for one registry, never global. */
export interface RegistrySettings {
  registry: string;
  implementation?: Implementation;
  /** PEM file of a custom CA that signs this registry's certificate. */
  caFile?: string;
  /** Skip TLS verification for this registry only. */
  insecureSkipVerify?: boolean;
  /** Plain HTTP for this registry only (werf's --insecure-registry). */
  plainHttp?: boolean;
  /** Base URL of the native API for self-hosted or enterprise installs (GitLab, GitHub Enterprise, Harbor, Quay, Docker Hub API). */
  apiBaseUrl?: string;
  /** For ECR/ACR/… tests and private endpoints: the SDK endpoint a real user may also set. */
  sdkEndpoint?: string;
  /** Requests in flight at once to this registry (default 8): lower it for a registry that throttles. */
  concurrency?: number;
  /** Most tags one listing reads (default 200,000); past it the listing stops, marked partial. */
  maxTags?: number;
  /** Most MiB of tag-list answers one listing reads (default 256); past it the listing stops, marked partial. */
  maxListingMiB?: number;
}

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 32;

/**
 * A registry's answers are untrusted: a `Link` that always names a new page would be followed
 * forever. These caps hold per listing; a listing that hits one ends as a partial result.
 */
export const LISTING_LIMITS = {
  defaultMaxTags: 200_000,
  /** The setting and `--max-tags` accept 1 … this many. */
  maxMaxTags: 5_000_000,
  defaultMaxMiB: 256,
  maxMaxMiB: 4096,
} as const;

export interface SaveCredentialInput {
  registry: string;
  implementation: Implementation;
  username?: string;
  /** Password, token or key. Travels once from the form to the main process; never comes back. */
  secret: string;
  /** Browser host only: also keep it in a file only this user can read. */
  persist?: boolean;
}

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'warn';

export type CheckStepName = 'resolve' | 'tls' | 'ping' | 'credentials' | 'token-pull' | 'token-push' | 'token-delete' | 'list-tags' | 'delete-permission';

export interface CheckStep {
  name: CheckStepName;
  title: string;
  status: CheckStatus;
  /** What happened, including the HTTP status and the registry's own error when there is one. */
  detail: string;
  /** The fix, when the step did not pass. */
  hint?: string;
  httpStatus?: number;
  registryError?: string;
  /** The step ran but the registry would not tell the answer (a `warn` that is not a caveat on a pass). */
  undetermined?: true;
  durationMs: number;
}

export interface CheckReport {
  imagesRepo: string;
  implementation: Implementation;
  registry: string;
  repository: string | null;
  /** Which source supplied the credential; null when the check ran anonymously. */
  credentialSource: CredentialSummary | null;
  steps: CheckStep[];
  /** Read access works (list tags passed). */
  readOk: boolean;
}

export interface CredentialsState {
  summaries: CredentialSummary[];
  /**
   * Where saves go on this machine (`backend`), and in the browser host where a save with
   * `persist` goes (`optIn`). `warning`: why saves stay in memory (no keyring). Turn it into words
   * with `describeStorage` (shared/credentials/storage-text.ts), the one wording for every view.
   */
  storage: { backend: string; persistent: boolean; warning?: string; file?: string; optIn?: { backend: string; warning?: string } };
  settings: RegistrySettings[];
}
