import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { TokenCredential } from '@azure/identity';
import type { CredentialKind, CredentialSource } from '../../../../shared/credentials/types';
import { Secret } from '../../credentials/secret';
import type { ResolvedCredential, ResolvedSecret } from '../../credentials/types';

/** Test-only: ResolvedCredential values as the resolver would hand them over. */
function summary(registry: string, kind: CredentialKind, source: CredentialSource, username?: string): ResolvedCredential['summary'] {
  return { registry, source, sourceDetail: `test fixture for ${registry}`, kind, usable: true, ...(username !== undefined ? { username } : {}) };
}

function make(registry: string, secret: ResolvedSecret, kind: CredentialKind, source: CredentialSource, username?: string): ResolvedCredential {
  return { summary: summary(registry, kind, source, username), secret };
}

export function basicCredential(registry: string, username: string, password: string, source: CredentialSource = 'saved'): ResolvedCredential {
  return make(registry, { kind: 'basic', username, password: new Secret(password) }, 'basic', source, username);
}

export function identityTokenCredential(registry: string, username: string, token: string): ResolvedCredential {
  return make(registry, { kind: 'identity-token', username, token: new Secret(token) }, 'identity-token', 'docker-config', username);
}

export function registryTokenCredential(registry: string, token: string): ResolvedCredential {
  return make(registry, { kind: 'registry-token', token: new Secret(token) }, 'registry-token', 'docker-config');
}

export function bearerTokenCredential(registry: string, token: string, username?: string, source: CredentialSource = 'saved'): ResolvedCredential {
  return make(registry, { kind: 'bearer-token', token: new Secret(token), ...(username !== undefined ? { username } : {}) }, 'bearer-token', source, username);
}

export function googleTokenCredential(registry: string, token: string): ResolvedCredential {
  return make(registry, { kind: 'google-token', token: new Secret(token) }, 'google-token', 'google-token');
}

export function awsCredential(registry: string, accessKeyId: string, secretAccessKey: string): ResolvedCredential {
  const provider: AwsCredentialIdentityProvider = async () => ({ accessKeyId, secretAccessKey });
  return make(registry, { kind: 'aws', provider }, 'aws', 'aws-chain');
}

export function azureCredential(registry: string, token: string): ResolvedCredential {
  const credential: TokenCredential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  return make(registry, { kind: 'azure', credential }, 'azure', 'azure-chain');
}
