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

export interface CredentialResolver {
  /** The best credential for a registry host, in the documented order of sources; null = anonymous. */
  resolve(registry: string, implementation: Implementation, signal?: AbortSignal): Promise<ResolvedCredential | null>;
  /** Every source found, per registry host, without secrets. */
  list(signal?: AbortSignal): Promise<CredentialSummary[]>;
}
