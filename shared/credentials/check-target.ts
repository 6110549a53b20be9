import type { Implementation } from '../registry/implementations';
import type { CredentialSummary } from './types';

/**
 * What a Test connection result is about: the registry host, the implementation it was tested
 * as, and the credential it used (null: anonymous). A result is shown only where all three are
 * the same again, so a result never appears under another registry, another implementation, or
 * after the credential changed.
 */
export interface CheckTarget {
  registry: string;
  implementation: Implementation;
  credential: Pick<CredentialSummary, 'source' | 'sourceDetail' | 'username'> | null;
}

export function checkTargetKey(target: CheckTarget): string {
  const c = target.credential;
  // JSON keeps the parts apart whatever characters they hold (a source detail is a path).
  return JSON.stringify([target.registry, target.implementation, c ? [c.source, c.sourceDetail, c.username ?? null] : null]);
}

/** The credential a check uses for a registry: the first usable source, in the resolver's order. */
export function credentialInUse<T extends Pick<CredentialSummary, 'usable'>>(sources: readonly T[]): T | null {
  return sources.find((s) => s.usable) ?? null;
}
