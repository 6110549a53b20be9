import { describe, expect, it } from 'vitest';
import { compileGoRegexp, expand, findAll, GoRegexpError, GoRegexpSyntaxError, replaceAll, split, translateGoRegexp } from './regexp';

const matches = (re: string, s: string) => findAll(compileGoRegexp(re), s, -1).map((m) => m.texts[0]);

describe('translateGoRegexp', () => {
  it.each([
    ['(', 'missing closing )', '('],
    ['a)', 'unexpected )', 'a)'],
    ['a[b', 'missing closing ]', '[b'],
    ['(?=a)', 'invalid or unsupported Perl syntax', '(?='],
    ['(?x)a', 'invalid or unsupported Perl syntax', '(?x'],
    ['(?P<na-me>a)', 'invalid named capture', '(?P<na-me>'],
    ['(a)\\1', 'invalid escape sequence', '\\1'],
    ['[\\z]', 'invalid escape sequence', '\\z'],
    ['[\\Qa\\E]', 'invalid escape sequence', '\\Q'],
    ['a{1001}', 'invalid repeat count', '{1001}'],
    ['[[:foo:]]', 'invalid character class range', '[:foo:]'],
    ['\\p{}', 'invalid character class range', '\\p{}'],
    ['a\\', 'trailing backslash at end of expression', ''],
  ])('rejects %j as Go does', (re, code, expr) => {
    let err: unknown;
    try {
      translateGoRegexp(re);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GoRegexpSyntaxError);
    expect(err).toMatchObject({ code, expr, message: `error parsing regexp: ${code}: \`${expr}\`` });
  });

  it('names what it cannot evaluate but still translates the rest', () => {
    expect(translateGoRegexp('(?U)a+').unsupported).toMatch(/flag U/);
    expect(translateGoRegexp('a(?i)b').unsupported).toBe('regexp flag groups are not supported by the preview engine: `(?i)b`');
    expect(translateGoRegexp('[[:^alpha:]]').unsupported).toMatch(/negated POSIX/);
    expect(translateGoRegexp('(?i)(?m)a').unsupported).toBeNull();
    expect(translateGoRegexp('(?i)(?m)a').flags).toBe('ui');
  });
});

describe('compileGoRegexp and matching', () => {
  it('follows RE2 where JavaScript differs', () => {
    expect(matches('.', 'a\rb\n')).toEqual(['a', '\r', 'b']);
    expect(matches('(?s).', 'a\n')).toEqual(['a', '\n']);
    expect(matches('\\s', 'a\u00a0 b')).toEqual([' ']);
    expect(matches('[\\S]', '\u00a0 x')).toEqual(['\u00a0', 'x']);
    expect(matches('[\\d-z]', 'a1-z')).toEqual(['1', '-', 'z']);
    // Any set before a dash: the dash is a literal, never a range.
    expect(matches('[\\D-1]', '1-a')).toEqual(['1', '-', 'a']);
    expect(matches('[\\W-z]', 'a-z!')).toEqual(['-', 'z', '!']);
    expect(matches('[\\pL-1]', '1-a')).toEqual(['1', '-', 'a']);
    expect(matches('[[:digit:]-z]', 'a1-z')).toEqual(['1', '-', 'z']);
    expect(matches('[\\x41-\\x43]', 'ABCD')).toEqual(['A', 'B', 'C']);
    // (?m) lines end at \n only, as in Go.
    expect(matches('(?m)^b', 'a\rb\nb')).toEqual(['b']);
    expect(matches('(?m)a$', 'a\ra\na')).toEqual(['a', 'a']);
    expect(matches('^a$', 'a\na')).toEqual([]);
    expect(matches('[a\\-z]', 'abz-')).toEqual(['a', 'z', '-']);
    expect(matches('a]b', 'a]b')).toEqual(['a]b']);
    expect(matches('\\ ', 'a b')).toEqual([' ']);
    expect(matches('\\Qa.b\\E', 'axb a.b')).toEqual(['a.b']);
    expect(matches('(?P<x>a)(?<y>b)', 'ab')).toEqual(['ab']);
  });

  it('throws a GoRegexpSyntaxError with Go\'s own message for what the translator leaves to the engine', () => {
    // Go: regexp.Compile("*a") → error parsing regexp: missing argument to repetition operator: `*`
    expect(() => compileGoRegexp('*a')).toThrow(GoRegexpSyntaxError);
    expect(() => compileGoRegexp('*a')).toThrow('error parsing regexp: missing argument to repetition operator: `*`');
    expect(() => compileGoRegexp('a.{2}{3}')).toThrow('error parsing regexp: invalid nested repetition operator: `{2}{3}`');
    expect(() => compileGoRegexp('[z-a]')).toThrow('error parsing regexp: invalid character class range: `z-a`');
    expect(() => compileGoRegexp('\\p{Nope}')).toThrow('error parsing regexp: invalid character class range: `\\p{Nope}`');
    expect(() => compileGoRegexp('('.repeat(1500) + ')'.repeat(1500))).toThrow('error parsing regexp: expression nests too deeply');
    expect(() => compileGoRegexp('(')).toThrow(GoRegexpError);
  });

  it('evaluates what Go accepts and JavaScript cannot express: (?U), flag groups, negated POSIX classes', () => {
    expect(matches('(?U)a+', 'aaa')).toEqual(['a', 'a', 'a']);
    expect(matches('a(?i)b', 'aB AB ab')).toEqual(['aB', 'ab']);
    expect(matches('[[:^alpha:]]+', 'ab12cd')).toEqual(['12']);
  });

  it('follows Go for empty matches, surrogate pairs, groups and \\b at a search offset', () => {
    expect(matches('a*', 'baaac')).toEqual(['', 'aaa', '']);
    expect(findAll(compileGoRegexp('a*'), 'baaac', -1).map((m) => [m.index, m.end])).toEqual([[0, 0], [1, 4], [5, 5]]);
    expect(matches('', '😀x')).toEqual(['', '', '']);
    expect(matches('b+', '😀abbc😀bb')).toEqual(['bb', 'bb']);
    expect(matches('\\bb', 'abb b')).toEqual(['b']);
    const [m] = findAll(compileGoRegexp('(?P<k>\\w+)=(\\d+)?'), 'x key=', -1);
    expect(m).toMatchObject({ index: 2, end: 6, texts: ['key=', 'key', undefined], names: { k: 1 } });
    expect(expand('$k:${2}:$1', m!)).toBe('key::key');
    expect(replaceAll(compileGoRegexp('a*'), 'baaac', '-', true)).toBe('-b-c-');
    expect(split(compileGoRegexp(','), 'a,b,,c', -1)).toEqual(['a', 'b', '', 'c']);
  });
});

describe('linear-time matching (patterns from untrusted projects)', () => {
  const within = (ms: number, f: () => void): void => {
    const started = performance.now();
    f();
    expect(performance.now() - started).toBeLessThan(ms);
  };
  it('nested quantifiers that take a backtracking engine minutes end in milliseconds', () => {
    within(2000, () => {
      expect(findAll(compileGoRegexp('^(a+)+$'), 'a'.repeat(51) + 'b', 1)).toEqual([]);
      expect(findAll(compileGoRegexp('(x+x+)+y'), 'x'.repeat(5000), 1)).toEqual([]);
      expect(findAll(compileGoRegexp('(x+x+)+y'), 'x'.repeat(5000), -1)).toEqual([]);
      expect(replaceAll(compileGoRegexp('(a|aa)+$'), 'a'.repeat(3000) + 'b', 'z', false)).toBe('a'.repeat(3000) + 'b');
      expect(split(compileGoRegexp('(\\s*,)+\\s*;'), ' ,'.repeat(3000), -1)).toHaveLength(1);
    });
  });
});
