import { Secret } from '../credentials/secret';
import type { ResolvedCredential } from '../credentials/types';

/*
 * How a registry credential is presented to a vendor's own API (Hub, GitHub, GitLab, Harbor, Quay):
 * shared by the listing and the checks of every driver, so they never disagree on it.
 */

/** The secret a native API takes: an API token, or the password of a Basic pair (PATs usually are). */
export function apiToken(credential: ResolvedCredential | null): Secret | null {
  if (!credential) return null;
  const s = credential.secret;
  switch (s.kind) {
    case 'bearer-token':
    case 'registry-token':
    case 'identity-token':
    case 'google-token':
      return s.token;
    case 'basic':
      return s.password;
    default:
      return null;
  }
}

export function apiUsername(credential: ResolvedCredential | null): string | undefined {
  const s = credential?.secret;
  if (!s) return undefined;
  if (s.kind === 'basic' || s.kind === 'identity-token') return s.username;
  if (s.kind === 'bearer-token') return s.username;
  return undefined;
}

/** Joins an API base URL and a path, keeping any path prefix of the base (`https://host/gitlab/api/v4`). */
export function apiUrl(base: string, path: string): URL {
  const b = base.endsWith('/') ? base : `${base}/`;
  return new URL(path.replace(/^\//, ''), b);
}

/** The base URL with the given suffix, unless the user already wrote it (`https://gitlab.example` or `…/api/v4`). */
export function withSuffix(base: string, suffix: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(suffix) ? trimmed : `${trimmed}${suffix}`;
}

export function bearer(token: Secret): Secret {
  return new Secret(`Bearer ${token.reveal()}`);
}

export function basic(username: string, password: Secret): Secret {
  return new Secret(`Basic ${Buffer.from(`${username}:${password.reveal()}`).toString('base64')}`);
}
