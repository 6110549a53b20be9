import { describe, expect, it } from 'vitest';
import { checkGoRegex, matchesReference, parseGoDuration } from './index';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['168h', 168 * 3600_000],
    ['1h30m', 5400_000],
    ['1.5h', 5400_000],
    ['.5s', 500],
    ['1.s', 1000],
    ['300ms', 300],
    ['2us', 0.002],
    ['2µs', 0.002],
    ['2μs', 0.002],
    ['10ns', 0.00001],
    ['-1h', -3600_000],
    ['+2m', 120_000],
    ['0', 0],
    ['-0', 0],
    ['1h0m0s', 3600_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', 'h', '1', '7d', '1 h', '1h ', '.h', '-', '1hh', '1.2.3h', 'abc', '3000000h'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeNull();
  });
});

describe('checkGoRegex (RE2 syntax)', () => {
  it.each([
    '.*',
    'feature/.*',
    '^(main|master)$',
    'v[0-9]+\\.[0-9]+\\.[0-9]+',
    '(?P<major>\\d+)\\.(?P<minor>\\d+)',
    '(?i)release-.*',
    '[[:alpha:]][[:alnum:]_-]*',
    '\\pL+',
    '\\p{Greek}',
    '\\x{1F600}',
    '\\Qa.b\\E',
    'a{2,5}',
    'a{,5}',
    '[]a]',
    '\\-\\/\\#',
    '\\012',
    '(?i:abc)',
    '(?U)a+',
    '(?s).',
    '\\A\\z',
  ])('accepts %j', (re) => {
    expect(checkGoRegex(re)).toMatchObject({ valid: true });
  });

  it.each([
    ['(', 'missing )'],
    ['a)', ''],
    ['[a-', 'missing closing ]'],
    ['*a', ''],
    ['a**', ''],
    ['(?=a)', 'unsupported Perl syntax'],
    ['(?<!a)b', 'unsupported Perl syntax'],
    ['(a)\\1', 'invalid escape sequence'],
    ['\\e', 'invalid escape sequence'],
    ['\\u00e9', 'invalid escape sequence'],
    ['a{1001}', 'invalid repeat count'],
    ['a{5,2}', 'invalid repeat count'],
    ['[z-a]', ''],
    ['[[:foo:]]', 'invalid character class range'],
    ['(?P<na-me>a)', 'invalid named capture'],
    ['(?x)a', 'unsupported Perl syntax'],
    ['a\\', 'trailing backslash'],
  ])('rejects %j', (re) => {
    const r = checkGoRegex(re);
    expect(r.valid).toBe(false);
  });
});

describe('matchesReference (how werf matches branch and tag names)', () => {
  it('matches literals exactly', () => {
    expect(matchesReference('main', 'main')).toBe(true);
    expect(matchesReference('main', 'main2')).toBe(false);
    expect(matchesReference('v1.0', 'v1x0')).toBe(false);
  });

  it('anchors regexes at both ends', () => {
    expect(matchesReference({ regex: 'feature/.*' }, 'feature/login')).toBe(true);
    expect(matchesReference({ regex: 'feature/.*' }, 'my-feature/login')).toBe(false);
    expect(matchesReference({ regex: 'v\\d+' }, 'v12')).toBe(true);
    expect(matchesReference({ regex: 'v\\d+' }, 'v12-rc')).toBe(false);
  });

  it('keeps werf\'s ungrouped anchoring: /a|b/ means "starts with a or ends with b"', () => {
    expect(matchesReference({ regex: 'main|release' }, 'main-old')).toBe(true);
    expect(matchesReference({ regex: 'main|release' }, 'old-release')).toBe(true);
    expect(matchesReference({ regex: '(main|release)' }, 'main-old')).toBe(false);
  });

  it('follows RE2 semantics where JavaScript differs', () => {
    expect(matchesReference({ regex: '\\s' }, '\u00a0')).toBe(false);
    expect(matchesReference({ regex: '[[:digit:]]+' }, '123')).toBe(true);
    expect(matchesReference({ regex: '(?i)MAIN' }, 'main')).toBe(true);
    expect(matchesReference({ regex: '\\Qv1.0\\E' }, 'v1x0')).toBe(false);
  });

  it('returns null for a regex Go rejects', () => {
    expect(matchesReference({ regex: '(' }, 'x')).toBeNull();
  });

  it('evaluates what the backtracking translation could not, with Go semantics', () => {
    expect(matchesReference({ regex: '(?U)a+' }, 'aa')).toBe(true);
    expect(matchesReference({ regex: 'rel(?i)EASE' }, 'relEase')).toBe(true);
    expect(matchesReference({ regex: 'rel(?i)EASE' }, 'RELEASE')).toBe(false);
    expect(matchesReference({ regex: '[[:^digit:]]+' }, 'main')).toBe(true);
  });

  it('matches in linear time: a catastrophic pattern on a long branch name ends at once', () => {
    const started = performance.now();
    expect(matchesReference({ regex: '(a+)+' }, 'a'.repeat(5000) + 'b')).toBe(false);
    expect(matchesReference({ regex: '(x+x+)+y' }, 'x'.repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
