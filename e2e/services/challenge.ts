import { findChallenge as findIn, parseWwwAuthenticate, type AuthChallenge } from '../../shared/registry/auth-challenge';

/**
 * `WWW-Authenticate` parsing for tests: the app's own parser (several challenges in one header, as
 * Quay sends `Basic …, Bearer …`; unquoted values; lower-case schemes), taking the raw header value.
 */
export type Challenge = AuthChallenge;

export function parseChallenges(header: string | null | undefined): Challenge[] {
  return parseWwwAuthenticate(header);
}

export function findChallenge(header: string | null | undefined, scheme: 'basic' | 'bearer'): Challenge | undefined {
  return findIn(parseWwwAuthenticate(header), scheme);
}
