import { describe, expect, it } from 'vitest';
import { renderTemplate, type TemplateSource } from './index';

function r(text: string, data: unknown = {}, partials: TemplateSource[] = []): string {
  return renderTemplate({ main: { name: 'main', text }, data, partials });
}

describe('whitespace trimming and comments', () => {
  it('trims around trim markers', () => {
    expect(r('a  {{- 1 -}}  b')).toBe('a1b');
    expect(r('{{ 1 }}\n{{- 2 }}')).toBe('12');
    expect(r('a {{- 3 }} b')).toBe('a3 b');
    expect(r('a\n\t {{- "x" -}} \n\tb')).toBe('axb');
  });
  it('does not treat a negative number as a trim marker', () => {
    expect(r('a {{-3}} b')).toBe('a -3 b');
  });
  it('drops comments, with and without trimming', () => {
    expect(r('a{{/* hi */}}b')).toBe('ab');
    expect(r('a {{- /* hi */ -}} b')).toBe('ab');
    expect(r('x\n{{- /* multi\nline */}}\ny')).toBe('x\ny');
  });
});

describe('truthiness', () => {
  const cases: [string, unknown, string][] = [
    ['empty string', '', 'f'],
    ['non-empty string', '0', 't'],
    ['zero', 0, 'f'],
    ['non-zero', -1, 't'],
    ['zero float', 0.0, 'f'],
    ['false', false, 'f'],
    ['true', true, 't'],
    ['nil', null, 'f'],
    ['empty list', [], 'f'],
    ['list', [0], 't'],
    ['empty map', {}, 'f'],
    ['map', { a: null }, 't'],
  ];
  for (const [name, v, want] of cases) {
    it(name, () => expect(r('{{if .v}}t{{else}}f{{end}}', { v })).toBe(want));
  }
  it('missing keys are false', () => expect(r('{{if .nope}}t{{else}}f{{end}}')).toBe('f'));
  it('else if chains', () => {
    const t = '{{if eq .n 1}}one{{else if eq .n 2}}two{{else}}many{{end}}';
    expect(r(t, { n: 1 })).toBe('one');
    expect(r(t, { n: 2 })).toBe('two');
    expect(r(t, { n: 3 })).toBe('many');
  });
  it('with sets dot and supports else and else with', () => {
    expect(r('{{with .a}}{{.b}}{{end}}', { a: { b: 'x' } })).toBe('x');
    expect(r('{{with .a}}yes{{else}}no{{end}}', { a: '' })).toBe('no');
    expect(r('{{with .a}}A{{else with .b}}{{.}}{{else}}none{{end}}', { b: 'B' })).toBe('B');
  });
});

describe('range', () => {
  it('iterates maps in sorted key order', () => {
    expect(r('{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}', { m: { b: 2, a: 1, c: 3 } })).toBe('a=1;b=2;c=3;');
    expect(r('{{range .m}}{{.}}{{end}}', { m: { z: 1, y: 2 } })).toBe('21');
  });
  it('iterates lists with index and value', () => {
    expect(r('{{range $i, $v := .l}}{{$i}}:{{$v}} {{end}}', { l: ['a', 'b'] })).toBe('0:a 1:b ');
    expect(r('{{range .l}}[{{.}}]{{end}}', { l: [1, 2] })).toBe('[1][2]');
    expect(r('{{range $v := .l}}{{$v}}{{end}}', { l: [1, 2] })).toBe('12');
  });
  it('supports break and continue', () => {
    const t = '{{range .l}}{{if eq . 3}}{{break}}{{end}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}';
    expect(r(t, { l: [1, 2, 3, 4] })).toBe('2');
  });
  it('break applies to the innermost range', () => {
    const t = '{{range .a}}{{range .}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}};{{end}}';
    expect(r(t, { a: [[1, 2, 3], [4, 2]] })).toBe('1;4;');
  });
  it('runs else for empty and nil collections', () => {
    expect(r('{{range .l}}x{{else}}empty{{end}}', { l: [] })).toBe('empty');
    expect(r('{{range .nope}}x{{else}}empty{{end}}')).toBe('empty');
    expect(r('{{range .m}}x{{else}}empty{{end}}', { m: {} })).toBe('empty');
  });
  it('ranges over an integer (Go 1.22)', () => {
    expect(r('{{range 3}}{{.}}{{end}}')).toBe('012');
  });
  it('keeps $ as the root data', () => {
    expect(r('{{range .l}}{{$.p}}{{.}} {{end}}', { p: '>', l: [1, 2] })).toBe('>1 >2 ');
  });
  it('rejects non-iterables', () => {
    expect(() => r('{{range .s}}{{end}}', { s: 'abc' })).toThrow(/range can't iterate over abc/);
  });
});

describe('variables', () => {
  it('assignment to an outer variable inside range persists', () => {
    expect(r('{{$x := 0}}{{range .l}}{{$x = .}}{{end}}{{$x}}', { l: [1, 2, 3] })).toBe('3');
  });
  it(':= inside range shadows', () => {
    expect(r('{{$x := 0}}{{range .l}}{{$x := .}}{{end}}{{$x}}', { l: [1, 2, 3] })).toBe('0');
  });
  it('scopes end at {{end}}', () => {
    expect(r('{{$x := "a"}}{{if true}}{{$x := "b"}}{{$x}}{{end}}{{$x}}')).toBe('ba');
    expect(r('{{with $y := 5}}{{$y}}{{end}}')).toBe('5');
    expect(() => r('{{with $y := 5}}{{end}}{{$y}}')).toThrow(/undefined variable "\$y"/);
  });
  it('with assignment inside with persists to the outer variable', () => {
    expect(r('{{$x := 1}}{{with true}}{{$x = 2}}{{end}}{{$x}}')).toBe('2');
  });
  it('declarations print nothing', () => {
    expect(r('{{$x := "a"}}|{{$x}}')).toBe('|a');
  });
  it('templates do not inherit variables', () => {
    expect(() => r('{{$x := 1}}{{define "T"}}{{$x}}{{end}}')).toThrow(/undefined variable "\$x"/);
  });
});

describe('and / or / not', () => {
  it('return the deciding value', () => {
    expect(r('{{and 1 0 "x"}}')).toBe('0');
    expect(r('{{and 1 2}}')).toBe('2');
    expect(r('{{or 0 "" "x" "y"}}')).toBe('x');
    expect(r('{{or 0 ""}}')).toBe('');
    expect(r('{{or .nope "d"}}')).toBe('d');
    expect(r('{{"x" | and true}}')).toBe('x');
  });
  it('short-circuit', () => {
    expect(r('{{and false (fail "boom")}}')).toBe('false');
    expect(r('{{or true (fail "boom")}}')).toBe('true');
    expect(() => r('{{and true (fail "boom")}}')).toThrow(/boom/);
  });
  it('not', () => {
    expect(r('{{not 0}} {{not "x"}}')).toBe('true false');
  });
});

describe('comparison', () => {
  it('eq with several arguments', () => {
    expect(r('{{eq 2 1 2 3}} {{eq "a" "b" "c"}}')).toBe('true false');
  });
  it('ne lt le gt ge', () => {
    expect(r('{{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2.5}}')).toBe('true true true true false');
  });
  it('eq with nil and missing values', () => {
    expect(r('{{eq .nope nil}} {{eq .s nil}}', { s: 'x' })).toBe('true false');
  });
  it('rejects incompatible types like Go', () => {
    expect(() => r('{{eq 1 "1"}}')).toThrow(/incompatible types for comparison/);
    expect(() => r('{{lt 1 1.5}}')).toThrow(/incompatible types for comparison/);
    expect(() => r('{{lt true false}}')).toThrow(/invalid type for comparison/);
  });
});

describe('printing', () => {
  it('prints <no value> for missing keys and nil', () => {
    expect(r('{{.nope}}')).toBe('<no value>');
    expect(r('{{.a.b.c}}')).toBe('<no value>');
    expect(r('{{.a}}', { a: null })).toBe('<no value>');
    expect(r('{{print .nope}}')).toBe('<nil>');
  });
  it('prints collections like fmt', () => {
    expect(r('{{.l}} {{.m}}', { l: [1, 'a', null], m: { b: [1], a: true } })).toBe('[1 a <nil>] map[a:true b:[1]]');
  });
  it('prints floats with %v rules', () => {
    expect(r('{{1.5}} {{3.0}} {{1e6}} {{1000000.0}} {{0.00001}} {{123456.0}}')).toBe('1.5 3 1e+06 1e+06 1e-05 123456');
  });
  it('print, println', () => {
    expect(r('{{print 1 2 "a" 3}}')).toBe('1 2a3');
    expect(r('{{println 1 "a"}}')).toBe('1 a\n');
  });
  it('html, js, urlquery', () => {
    expect(r(`{{html "<a href='x'>&\\"</a>"}}`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;');
    expect(r(`{{js "it's <b> = \\"x\\""}}`)).toBe('it\\\'s \\u003Cb\\u003E \\u003D \\"x\\"');
    expect(r('{{urlquery "a b&c=d/é"}}')).toBe('a+b%26c%3Dd%2F%C3%A9');
    expect(r('{{html .nope}}')).toBe('&lt;no value&gt;');
  });
});

describe('literals', () => {
  it('strings with Go escapes and raw strings', () => {
    expect(r('{{"a\\tb\\u00e9\\x41\\101\\\\"}}')).toBe('a\tbéAA\\');
    expect(r('{{`a\\n{{x}}`}}')).toBe('a\\n{{x}}');
  });
  it('numbers', () => {
    expect(r('{{0x1F}} {{0o17}} {{017}} {{1_000}} {{-5}} {{+5}} {{.5}} {{0b101}}')).toBe('31 15 15 1000 -5 5 0.5 5');
  });
  it('chars are ints', () => {
    expect(r("{{'a'}} {{'\\n'}} {{printf \"%c\" 'é'}}")).toBe('97 10 é');
  });
  it('bools and nil', () => {
    expect(r('{{true}} {{false}}')).toBe('true false');
    expect(() => r('{{nil}}')).toThrow(/nil is not a command/);
  });
});

describe('fields, methods and calls', () => {
  it('walks field chains', () => {
    const data = { a: { b: { c: 'deep' } }, l: [{ name: 'n0' }] };
    expect(r('{{.a.b.c}} {{$x := .a}}{{$x.b.c}} {{(index .l 0).name}} {{(dict "k" "v").k}}', data)).toBe('deep deep n0 v');
  });
  it('errors on a field of a present nil', () => {
    expect(() => r('{{.a.b}}', { a: null })).toThrow(/nil pointer evaluating interface \{\}\.b/);
  });
  it('errors on a field of a non-map', () => {
    expect(() => r('{{.s.x}}', { s: 'str' })).toThrow(/can't evaluate field x in type string/);
  });
  it('calls functions stored in data as methods', () => {
    const data = { Files: { Get: (p: unknown) => `content of ${String(p)}` }, Name: () => 'nm' };
    expect(r('{{.Files.Get "a.txt"}}|{{"b" | .Files.Get}}|{{.Name}}', data)).toBe('content of a.txt|content of b|nm');
  });
  it('call invokes function values', () => {
    const data = { fn: (a: unknown, b: unknown) => Number(a) + Number(b), m: { f: () => 'x' } };
    expect(r('{{call .fn 1 2}} {{call .m.f}}', data)).toBe('3 x');
    expect(() => r('{{call .s}}', { s: 'x' })).toThrow(/non-function/);
  });
  it('passes the pipeline value as the last argument', () => {
    expect(r('{{"abc" | upper | printf "%s!"}}')).toBe('ABC!');
    expect(r('{{"a" | printf "%s-%s" "b"}}')).toBe('b-a');
    expect(r('{{.nope | default "d"}}')).toBe('d');
  });
  it('rejects arguments to non-functions', () => {
    expect(() => r('{{"a" | .x}}', { x: 'v' })).toThrow(/x is not a method but has arguments/);
    expect(() => r('{{"a" | "b"}}')).toThrow(/non executable command in pipeline stage 2/);
  });
});

describe('builtins', () => {
  const data = { l: [1, 2, 3, 4], m: { a: 'A' }, nested: [{ k: 'v' }] };
  it('len', () => {
    expect(r('{{len "héllo"}} {{len .l}} {{len .m}}', data)).toBe('6 4 1');
    expect(() => r('{{len 3}}')).toThrow(/len of type int/);
  });
  it('index', () => {
    expect(r('{{index .l 1}} {{index .m "a"}} {{index .m "zz"}} {{index .nested 0 "k"}} {{index "abc" 1}}', data)).toBe(
      '2 A <no value> v 98',
    );
    expect(() => r('{{index .l 9}}', data)).toThrow(/index out of range: 9/);
  });
  it('slice is sprig\'s (werf\'s FuncMap replaces the builtin): lists only', () => {
    expect(r('{{slice .l 1 3}} {{slice .l 2}}', data)).toBe('[2 3] [3 4]');
    expect(() => r('{{slice "hello" 1 3}}', data)).toThrow(/error calling slice: list should be type of slice or array but string/);
  });
});

describe('define, template, block', () => {
  it('define and template', () => {
    expect(r('{{define "T"}}hello {{.}}{{end}}{{template "T" "world"}}')).toBe('hello world');
    expect(r('{{define "T"}}{{.}}{{end}}{{template "T"}}')).toBe('<no value>');
  });
  it('block renders its body and can be redefined by a partial parsed earlier only when main has none', () => {
    expect(r('{{block "B" .}}default {{.}}{{end}}', 'x')).toBe('default x');
    expect(r('[{{template "T" .}}]', 'd', [{ name: 'p.tmpl', text: '{{define "T"}}from partial {{.}}{{end}}' }])).toBe('[from partial d]');
  });
  it('the main file wins over partial defines (it is parsed last)', () => {
    const partials = [{ name: 'p.tmpl', text: '{{define "T"}}partial{{end}}' }];
    expect(r('{{define "T"}}main{{end}}{{template "T"}}', {}, partials)).toBe('main');
  });
  it('partials are templates named by their name', () => {
    expect(r('{{include "a/b.tmpl" .}}', { x: 1 }, [{ name: 'a/b.tmpl', text: 'x={{.x}}' }])).toBe('x=1');
  });
  it('variables declared in a template pipeline persist', () => {
    expect(r('{{define "T"}}{{.}}{{end}}{{template "T" $x := "v"}}{{$x}}')).toBe('vv');
  });
});

describe('include and tpl', () => {
  it('include works in pipelines', () => {
    const t = '{{define "x"}}a: 1\nb: 2{{end}}root:{{ include "x" . | nindent 2 }}';
    expect(r(t)).toBe('root:\n  a: 1\n  b: 2');
  });
  it('include passes data', () => {
    expect(r('{{define "x"}}{{.n}}{{end}}{{include "x" (dict "n" 5)}}')).toBe('5');
  });
  it('tpl renders a string with data and shares defines', () => {
    expect(r('{{ tpl "{{ .name }}!" . }}', { name: 'n' })).toBe('n!');
    expect(r('{{ tpl "{{define \\"z\\"}}Z{{end}}" . }}{{ include "z" . }}')).toBe('Z');
    expect(r('{{define "y"}}Y{{end}}{{ tpl "{{ include \\"y\\" . }}" . }}')).toBe('Y');
  });
  it('include of a missing template fails', () => {
    expect(() => r('{{ include "nope" . }}')).toThrow(/no template "nope"/);
  });
});

describe('user functions', () => {
  it('can add and override functions', () => {
    const out = renderTemplate({
      main: { name: 'm', text: '{{ shout "hi" }} {{ upper "x" }}' },
      data: {},
      funcs: { shout: (s) => `${String(s)}!`, upper: () => 'overridden' },
    });
    expect(out).toBe('hi! overridden');
  });
});
