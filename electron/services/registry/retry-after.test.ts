import { describe, expect, it } from 'vitest';
import { ResponseHeaders, retryAfterMs } from './http';

describe('Retry-After as Docker Hub sends it (issue 18 item 3)', () => {
  const now = Date.parse('2025-05-01T21:42:00Z');
  const at = (h: Record<string, string>) => retryAfterMs(new ResponseHeaders(h), now);

  it('seconds, as RFC 9110 and the Hub API reference say', () => {
    expect(at({ 'retry-after': '60' })).toBe(60_000);
    expect(at({ 'retry-after': ' 0 ' })).toBe(0);
  });

  it('a Unix timestamp in Retry-After (observed from Hub) is a time, not 1.7×10¹² ms', () => {
    const epoch = Math.floor(now / 1000) + 18;
    expect(at({ 'retry-after': String(epoch) })).toBe(18_000);
    // A time already past means "now", never a negative wait.
    expect(at({ 'retry-after': String(Math.floor(now / 1000) - 5) })).toBe(0);
    expect(at({ 'retry-after': '1746136938' })).toBe(Math.max(0, 1746136938_000 - now));
  });

  it('an HTTP-date', () => {
    expect(at({ 'retry-after': new Date(now + 90_000).toUTCString() })).toBe(90_000);
  });
});
