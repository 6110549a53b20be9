import { randomBytes } from 'node:crypto';
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

