import { defaultSleep, retryAfterMs, type HttpOutcome, type RegistryResponse } from '../registry/http';
import type { DriverContext } from '../inventory/types';

/**
 * The longest a listing or a cleanup run waits for one rate-limit window, told to the user in every
 * wait and every "rate limited until" message. The HTTP client sleeps through short waits itself
 * (up to 20 s); this covers the minute-long windows Docker Hub asks for.
 */
export const RATE_LIMIT_MAX_WAIT_MS = 5 * 60_000;
/** Long waits per call: a registry that keeps answering 429 after its own window is not waited on forever. */
const MAX_WAITS = 3;

export type RateLimitContext = Pick<DriverContext, 'signal' | 'rateLimitWait'>;

function clock(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** When a 429 says to come back (epoch ms), or null when it does not say. */
export function rateLimitedUntil(res: RegistryResponse, now = Date.now()): number | null {
  if (res.status !== 429) return null;
  const ms = retryAfterMs(res.headers, now);
  return ms === undefined ? null : now + ms;
}

/** "Docker Hub rate limited until 2025-05-01T22:02:18Z, longer than the 5 minutes Stowage waits" — the stop message. */
export function rateLimitMessage(who: string, until: number | null): string {
  if (until === null) return `${who} answered 429 Too Many Requests without saying when to come back.`;
  return `${who} rate limited until ${clock(until)}, longer than the ${RATE_LIMIT_MAX_WAIT_MS / 60_000} minutes Stowage waits: run it again after then.`;
}

/**
 * Sends, and when the answer is a 429 with a wait of at most `RATE_LIMIT_MAX_WAIT_MS`, waits it out
 * (through `ctx.rateLimitWait`, so the view counts down) and sends again. Returns the last outcome:
 * still a 429 when the wait was longer than the cap (the caller stops with `rateLimitMessage`).
 */
export async function withRateLimitWaits(ctx: RateLimitContext, who: string, send: () => Promise<HttpOutcome>, now: () => number = Date.now): Promise<HttpOutcome> {
  let out = await send();
  for (let waits = 0; waits < MAX_WAITS && out.ok; waits++) {
    const until = rateLimitedUntil(out.response, now());
    if (until === null || until - now() > RATE_LIMIT_MAX_WAIT_MS) return out;
    const reason = `${who} asked to wait until ${clock(until)} (rate limit); waiting (Stowage waits up to ${RATE_LIMIT_MAX_WAIT_MS / 60_000} minutes).`;
    try {
      if (ctx.rateLimitWait) await ctx.rateLimitWait(until, reason);
      else await defaultSleep(Math.max(0, until - now()), ctx.signal);
    } catch {
      return { ok: false, error: { kind: 'aborted', message: `Cancelled while waiting for ${who}'s rate limit`, hint: 'Cancelled on request; run it again when ready.' } };
    }
    if (ctx.signal.aborted) return { ok: false, error: { kind: 'aborted', message: `Cancelled while waiting for ${who}'s rate limit`, hint: 'Cancelled on request; run it again when ready.' } };
    out = await send();
  }
  return out;
}
