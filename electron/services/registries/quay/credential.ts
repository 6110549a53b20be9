import type { ResolvedCredential } from '../../credentials/types';
import { apiUsername } from '../api-auth';

/** Quay's own user name for OAuth application tokens on the registry (`docker login -u '$oauthtoken'`). */
export const QUAY_OAUTH_USER = '$oauthtoken';

export type QuayCredentialKind = 'oauth' | 'robot' | 'password' | 'anonymous';

/**
 * The one Quay rule: robot accounts are `<org>+<name>` and work on the registry (/v2) only; an
 * OAuth application token arrives bare or as `$oauthtoken`'s password and also works on /api/v1;
 * anything else is a user's password (registry only). Listing, the check and the login all ask here.
 */
export function quayCredentialKind(credential: ResolvedCredential | null): QuayCredentialKind {
  if (!credential) return 'anonymous';
  const username = apiUsername(credential);
  if (username?.includes('+')) return 'robot';
  const s = credential.secret;
  if (s.kind === 'bearer-token' || (s.kind === 'basic' && username === QUAY_OAUTH_USER)) return 'oauth';
  return 'password';
}
