import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { TokenCredential } from '@azure/identity';
import type { CredentialSummary } from '../../../shared/credentials/types';
import type { Implementation } from '../../../shared/registry/implementations';
import type { Secret } from './secret';

/** What a source hands to the registry client. Lives in the main process only. */
export type ResolvedSecret =
  /** Basic auth to the registry or its token realm; also the login for Hub/Harbor/GitLab APIs. */
  | { kind: 'basic'; username: string; password: Secret }
  /** config.json `identitytoken`: spent with the OAuth2 refresh-token grant at the token realm. */
  | { kind: 'identity-token'; username: string; token: Secret }
  /** config.json `registrytoken`: sent as `Authorization: Bearer` to the registry directly. */
  | { kind: 'registry-token'; token: Secret }
  /** A native API token (GitHub PAT, GitLab PAT, Quay OAuth token); `username` lets it double as Basic. */
  | { kind: 'bearer-token'; username?: string; token: Secret }
  | { kind: 'aws'; provider: AwsCredentialIdentityProvider; profile?: string }
  | { kind: 'azure'; credential: TokenCredential }
  | { kind: 'google-token'; token: Secret };

export interface ResolvedCredential {
  summary: CredentialSummary;
  secret: ResolvedSecret;
}

export interface CredentialListOptions {
  /**
   * Registry hosts to check besides the ones the sources name themselves (the open project's images
   * repo, `stowage credentials HOST`). Cloud chains have no host of their own, so AWS, Azure and
   * Google credentials are only looked at for hosts that are known this way or from another source.
   */
  registries?: readonly string[];
}

/** What resolveWithProblems() found for a registry host. */
export interface CredentialResolution {
  /** The same pick as resolve(): always usable and with a secret; null = anonymous. */
  credential: ResolvedCredential | null;
  /**
   * Sources for the host that exist but cannot give a credential (helper not installed, no login in
   * the helper, expired token, unreadable config…), in resolution order: the ones looked at before
   * the pick, so all of them when `credential` is null. Summaries only, never a secret.
   */
  unusable: CredentialSummary[];
}

export interface CredentialResolver {
  /**
   * The best credential for a registry host, in the documented order of sources; null = anonymous.
   * Only ever a usable credential that carries a secret, so callers may hand it to a registry as is.
   */
  resolve(registry: string, implementation: Implementation, signal?: AbortSignal): Promise<ResolvedCredential | null>;
  /**
   * resolve() plus why the sources it passed over cannot be used, for "Test connection": when
   * nothing is usable, the check names the real problem ("docker-credential-desktop is not
   * installed") and its fix instead of "no credential found".
   */
  resolveWithProblems(registry: string, implementation: Implementation, signal?: AbortSignal): Promise<CredentialResolution>;
  /** Every source found, per registry host, without secrets. */
  list(signal?: AbortSignal, options?: CredentialListOptions): Promise<CredentialSummary[]>;
}

/** An environment as read by the sources; injected so tests and the CLI's `--env` never touch process.env. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * One candidate a source produced for a host. `secret` is null when the summary is not usable, and
 * in list() also for usable ones that were only listed (a credsStore's `list`, saved summaries):
 * resolve() only returns candidates that are usable and carry a secret; resolveWithProblems() also
 * returns the unusable ones' summaries.
 */
export interface CredentialCandidate {
  summary: CredentialSummary;
  secret: ResolvedSecret | null;
}
