import type { CredentialKind, CredentialSource, CredentialSummary } from '../../../shared/credentials/types';
import type { CredentialCandidate, ResolvedSecret } from './types';

export interface SummaryBase {
  registry: string;
  source: CredentialSource;
  sourceDetail: string;
  kind: CredentialKind;
  username?: string;
}

function base(b: SummaryBase): CredentialSummary {
  const summary: CredentialSummary = { registry: b.registry, source: b.source, sourceDetail: b.sourceDetail, kind: b.kind, usable: true };
  if (b.username !== undefined && b.username !== '') summary.username = b.username;
  return summary;
}

/**
 * A credential that works as far as we can tell without asking the registry. A known expiry in the
 * past turns it into a problem, because sending it would only earn a 401 with no explanation.
 */
export function usableCandidate(
  b: SummaryBase,
  secret: ResolvedSecret | null,
  expiry?: { at: Date | undefined; now: Date; renew: string },
): CredentialCandidate {
  const summary = base(b);
  if (expiry?.at !== undefined && !Number.isNaN(expiry.at.getTime())) {
    summary.expiresAt = expiry.at.toISOString();
    if (expiry.at.getTime() <= expiry.now.getTime()) {
      summary.usable = false;
      summary.problem = `the ${kindLabel(b.kind)} expired at ${summary.expiresAt}`;
      summary.hint = expiry.renew;
      return { summary, secret: null };
    }
  }
  return { summary, secret };
}

export function unusableCandidate(b: SummaryBase, problem: string, hint: string): CredentialCandidate {
  const summary = base(b);
  summary.usable = false;
  summary.problem = problem;
  summary.hint = hint;
  return { summary, secret: null };
}

function kindLabel(kind: CredentialKind): string {
  switch (kind) {
    case 'basic':
      return 'password';
    case 'aws':
      return 'AWS session';
    case 'azure':
      return 'Azure token';
    default:
      return 'token';
  }
}

/** Keys and names from files the user controls, shown quoted and bounded. */
export function quoted(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
