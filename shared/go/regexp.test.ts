import { describe, expect, it } from 'vitest';
import { compileGoRegexp, findAll, GoRegexpError, GoRegexpSyntaxError, translateGoRegexp } from './regexp';

const matches = (re: string, s: string) => findAll(compileGoRegexp(re), s, -1).map((m) => m[0]);

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

  it('throws GoRegexpError for what cannot be evaluated', () => {
    expect(() => compileGoRegexp('(?U)a+')).toThrow(GoRegexpError);
    // Reported against the pattern as written, not the translated source.
    expect(() => compileGoRegexp('*a')).toThrow('error parsing regexp: Nothing to repeat: `*a`');
    expect(() => compileGoRegexp('a.{2}{3}')).toThrow(/`a\.\{2\}\{3\}`$/);
  });
});
