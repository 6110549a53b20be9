import { describe, expect, it } from 'vitest';
import { describeJsonError, jsonErrorOffset, SecretScrubber, tokenExpiry } from './redact';
import { Secret } from './secret';

describe('SecretScrubber', () => {
  it('removes remembered secrets, labelled values and opaque tokens, and keeps paths and URLs readable', () => {
    const s = new SecretScrubber();
    s.remember(new Secret('short-pw'));
    s.rememberEnvironment({ MY_TOKEN: 'envtokenvalue', HOME: '/home/u' });
    const out = s.scrub(
      '\u001b[31merror\u001b[0m: short-pw rejected at https://index.docker.io/v1/ (/home/u/.docker/config.json)\n' +
        'password=abc token: "def" Authorization: Bearer eyJhbGciOi.x.y envtokenvalue ghp_AbCdEf0123456789AbCdEf0123456789',
    );
    expect(out).toBe(
      'error: [redacted] rejected at https://index.docker.io/v1/ (/home/u/.docker/config.json) | password=[redacted] token: [redacted] Authorization: [redacted] [redacted] [redacted] [redacted]',
    );
  });

  it('truncates long text', () => {
    expect(new SecretScrubber().scrub('word '.repeat(200), 50)).toHaveLength(50);
  });
});

describe('describeJsonError', () => {
  it('gives a line and column but never the text', () => {
    const text = '{\n  "a": secret-value\n}';
    let error: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      error = e;
    }
    const message = describeJsonError(error, text);
    expect(message).toMatch(/^it is not valid JSON \(line 2, column \d+\)$/);
    expect(message).not.toContain('secret');
  });
});

describe('tokenExpiry', () => {
  it('reads a JWT exp and an ECR password expiration, and nothing from other tokens', () => {
    const jwt = `x.${Buffer.from('{"exp":2000000000}').toString('base64url')}.y`;
    expect(tokenExpiry(new Secret(jwt))?.toISOString()).toBe('2033-05-18T03:33:20.000Z');
    const ecr = Buffer.from(JSON.stringify({ payload: 'p'.repeat(20), datakey: 'd', version: '2', type: 'DATA_KEY', expiration: 1767225600 })).toString('base64');
    expect(tokenExpiry(new Secret(ecr))?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(tokenExpiry(new Secret('ghp_plain'))).toBeUndefined();
  });
});

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a": 1}', null],
    ['[1, -2.5e3, "x\\u00e9", true, false, null, {}]', null],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['{"a": tru}', 6],
    ['{"a": 01}', 7],
    ['{"a": 1} x', 9],
    ['', 0],
  ])('%s → %s', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    expect(offset === null).toBe((() => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    })());
  });
});
