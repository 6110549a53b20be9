import { randomBytes } from 'node:crypto';
import { Secret } from '../../credentials/secret';
import type { ResolvedCredential } from '../../credentials/types';
import { parseErrorBody, type RegistryHttpError } from '../errors';
import type { RegistryResponse } from '../http';
import type { PermissionProbeResult } from './types';

/** A digest no content hashes to: deleting it can only ever answer "not found". */
export const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

/**
 * A tag name for tag-delete probes on vendor APIs that have no digest form. 128 random bits make
 * a collision with a real tag impossible in practice; the prefix says who made the call in audit logs.
 */
export function probeTagName(): string {
  return `stowage-permission-probe-${randomBytes(16).toString('hex')}`;
}

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

export function transportFailure(what: string, error: RegistryHttpError): PermissionProbeResult {
  const out: PermissionProbeResult = { verdict: 'unknown', detail: `${what}: ${error.message}`, hint: error.hint };
  if (error.status !== undefined) out.httpStatus = error.status;
  if (error.registryCode !== undefined) out.registryError = error.registryCode;
  return out;
}

/** `HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)` for a detail line, plus the parts for the step. */
export function said(res: RegistryResponse): { text: string; code?: string; message?: string } {
  const p = parseErrorBody(res.body, res.headers.get('content-type'));
  const words = [p.code, p.message].filter((s): s is string => s !== undefined).join(': ');
  const out: { text: string; code?: string; message?: string } = { text: `HTTP ${res.status}${words ? ` (${words})` : ''}` };
  if (p.code !== undefined) out.code = p.code;
  if (p.message !== undefined) out.message = p.message;
  return out;
}

export function result(verdict: PermissionProbeResult['verdict'], detail: string, res?: RegistryResponse, hint?: string): PermissionProbeResult {
  const out: PermissionProbeResult = { verdict, detail };
  if (hint !== undefined) out.hint = hint;
  if (res) {
    out.httpStatus = res.status;
    const s = said(res);
    const err = [s.code, s.message].filter((x): x is string => x !== undefined).join(': ');
    if (err) out.registryError = err;
  }
  return out;
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
