import type { CleanupTag, GitSnapshot, PlanReason, PlanWarning, WerfMetadata } from './types';

/** What a policy decides for one tag it covers; tags it does not cover are left undefined. */
export interface Verdict {
  action: 'keep' | 'delete';
  reason: PlanReason;
}

export interface PolicyContext {
  nowMs: number;
  tags: readonly CleanupTag[];
  /** builtAtMs of every tag, computed once (sorting calls it n log n times). */
  builtAt: Float64Array;
  git: GitSnapshot | null;
  werfMetadata: WerfMetadata | null;
}

export interface PolicyResult {
  /** Aligned with `tags`. */
  verdicts: (Verdict | undefined)[];
  warnings: PlanWarning[];
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Image creation time (config `created`), else push time; NaN when neither is known. */
export function builtAtMs(t: CleanupTag): number {
  const iso = t.created ?? t.pushed;
  return iso === undefined ? Number.NaN : Date.parse(iso);
}

export function imageLabel(image: string | null | undefined): string {
  if (image === undefined) return 'an unknown image';
  return image === null ? 'the nameless image' : `image ${image}`;
}

/** werf touches a tag only when its config says werf published it (werf.md §3.1). */
export function isWerfImageTag(t: CleanupTag): boolean {
  return t.labels?.['werf-image'] === 'true';
}

/** A tag a policy may consider at all: readable, not werf's bookkeeping, not a signature. */
export function isOrdinaryTag(t: CleanupTag): boolean {
  return t.kind !== 'werf-service' && t.service === undefined && t.kind !== 'signature' && t.signatureOf === undefined && !t.error && !t.pending && t.digest !== null;
}
