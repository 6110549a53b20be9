import type { RateLimitInfo } from './types';

/**
 * "rate limit (registry-1.docker.io ratelimit-*): 76 of 100 left, resets 14:05" — only the parts
 * the registry sent. `time` formats the reset moment (local time in the app, ISO in the CLI).
 */
export function describeRateLimit(r: RateLimitInfo, time: (iso: string) => string = (iso) => iso): string {
  const left = `${r.remaining ?? '?'}${r.limit !== undefined ? ` of ${r.limit}` : ''} left`;
  const reset = r.resetAt && Number.isFinite(Date.parse(r.resetAt)) ? `, resets ${time(r.resetAt)}` : '';
  return `rate limit (${r.source}): ${left}${reset}`;
}

/** ECMAScript dates end 8.64e15 ms from the epoch; a registry's header can say anything. */
const LATEST_DATE_MS = 8.64e15;

/** An ISO time for a registry-sent instant in ms, or undefined when no date can hold it. */
export function isoFromMs(ms: number): string | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= LATEST_DATE_MS ? new Date(ms).toISOString() : undefined;
}
