import { describe, expect, it } from 'vitest';
import { formatFloat, quoteString, sprintf } from './format';
import { renderTemplate } from './index';

function r(text: string, data: unknown = {}): string {
  return renderTemplate({ main: { name: 'main', text }, data });
}

describe('printf verbs', () => {
  it('basic verbs', () => {
    expect(r('{{printf "%s-%d-%v-%q-%t" "a" 5 1.5 "q" true}}')).toBe('a-5-1.5-"q"-true');
    expect(r('{{printf "%x %X %o %b %c %U" 255 255 8 5 65 65}}')).toBe('ff FF 10 101 A U+0041');
    expect(r('{{printf "%x" "hi"}}')).toBe('6869');
    expect(r('{{printf "%v %v" .l .m}}', { l: [1, 'a'], m: { k: 'v' } })).toBe('[1 a] map[k:v]');
    expect(r('{{printf "%T %T %T %T" 1 1.5 "s" .l}}', { l: [] })).toBe('int float64 string []interface {}');
    expect(r('{{printf "100%%"}}')).toBe('100%');
  });
  it('width, precision and flags', () => {
    expect(r('{{printf "%5.2f|%-10s|%05d|%+d|% d" 3.14159 "ab" 42 5 7}}')).toBe(' 3.14|ab        |00042|+5| 7');
    expect(r('{{printf "%8.3s|%-6d|%6q" "abcdef" 12 "x"}}')).toBe('     abc|12    |   "x"');
    expect(r('{{printf "%#x %#o %x" 255 8 -255}}')).toBe('0xff 010 -ff');
    expect(r('{{printf "%*d|%-*d" 4 7 3 1}}')).toBe('   7|1  ');
    expect(r('{{printf "%[2]s %[1]s" "a" "b"}}')).toBe('b a');
    expect(r('{{printf "%08.3f" -3.14159}}')).toBe('-003.142');
  });
  it('float formatting', () => {
    expect(r('{{printf "%f %e %g %G" 1234.5678 1234.5678 1234.5678 0.00001234}}')).toBe('1234.567800 1.234568e+03 1234.5678 1.234E-05');
    expect(r('{{printf "%.0f %.0f %.0f %.1f" 2.5 3.5 0.5 0.25}}')).toBe('2 4 0 0.2');
    expect(r('{{printf "%g %g %v" 100000.0 1000000.0 1e21}}')).toBe('100000 1e+06 1e+21');
    expect(r('{{printf "%.3g %.10g" 3.14159 2.0}}')).toBe('3.14 2');
  });
  it('reports bad verbs, missing and extra arguments like Go', () => {
    expect(r('{{printf "%d" "x"}}')).toBe('%!d(string=x)');
    expect(r('{{printf "%s %s" "a"}}')).toBe('a %!s(MISSING)');
    expect(r('{{printf "%s" "a" 1}}')).toBe('a%!(EXTRA int=1)');
    expect(r('{{printf "%d" .nope}}')).toBe('%!d(<nil>)');
    expect(r('{{printf "%v" .nope}}')).toBe('<nil>');
    expect(r('{{printf "%f" 3}}')).toBe('%!f(int=3)');
    expect(r('{{printf "%z" 3}}')).toBe('%!z(int=3)');
    expect(r('{{printf "abc%"}}')).toBe('abc%!(NOVERB)');
  });
});

describe('fmt helpers', () => {
  it('formatFloat matches strconv', () => {
    expect(formatFloat(0, 'g', -1)).toBe('0');
    expect(formatFloat(-0.5, 'e', -1)).toBe('-5e-01');
    expect(formatFloat(1e-7, 'g', -1)).toBe('1e-07');
    expect(formatFloat(123456789, 'g', -1)).toBe('1.23456789e+08');
    expect(formatFloat(1.005, 'f', 2)).toBe('1.00');
    expect(formatFloat(1e21, 'f', -1)).toBe('1000000000000000000000');
    expect(formatFloat(NaN, 'g', -1)).toBe('NaN');
    expect(formatFloat(-Infinity, 'f', 2)).toBe('-Inf');
  });
  it('quoteString matches strconv.Quote', () => {
    expect(quoteString('a"b\\c\n\t\x01é\u00ad')).toBe('"a\\"b\\\\c\\n\\t\\x01é\\u00ad"');
  });
  it('sprintf %q on ints quotes runes', () => {
    expect(sprintf('%q', [65])).toBe("'A'");
  });
});
