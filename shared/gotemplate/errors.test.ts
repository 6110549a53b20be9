import { describe, expect, it } from 'vitest';
import { ErrorCodes, renderTemplate, TemplateError, type EngineLimits, type TemplateSource } from './index';

function catchError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

function render(text: string, data: unknown = {}, partials: TemplateSource[] = [], limits?: Partial<EngineLimits>): string {
  return renderTemplate({ main: { name: 'werf.yaml', text }, data, partials, limits });
}

function err(text: string, data: unknown = {}, partials: TemplateSource[] = [], limits?: Partial<EngineLimits>): TemplateError {
  return catchError(() => render(text, data, partials, limits));
}

describe('parse errors', () => {
  it('unknown function, reported at parse time with the action position', () => {
    const e = err('line1\n  {{ nosuch 1 }}');
    expect(e).toMatchObject({ file: 'werf.yaml', line: 2, column: 3, code: ErrorCodes.unknownFunction });
    expect(e.message).toBe('function "nosuch" not defined');
    expect(e.node).toEqual({ line: 2, column: 6 });
  });
  it('unknown function in a branch that never runs still fails', () => {
    expect(err('{{ if false }}{{ nosuch }}{{ end }}').code).toBe(ErrorCodes.unknownFunction);
  });
  it('unknown function in a partial that is never included points into the partial', () => {
    const e = err('ok', {}, [{ name: 'p.tmpl', file: '.werf/p.tmpl', text: '\n\n{{- nosuch }}' }]);
    expect(e).toMatchObject({ file: '.werf/p.tmpl', line: 3, column: 1, code: ErrorCodes.unknownFunction });
  });
  it('unterminated action', () => {
    const e = err('ab\ncd {{ .x ');
    expect(e).toMatchObject({ file: 'werf.yaml', line: 2, column: 4, code: ErrorCodes.syntax, message: 'unclosed action' });
  });
  it('unterminated string and raw string', () => {
    expect(err('{{ "abc }}').message).toBe('unterminated quoted string');
    expect(err('x {{ `abc }}').message).toBe('unterminated raw quoted string');
    expect(err('{{/* never closed').message).toBe('unclosed comment');
  });
  it('unclosed block points at the opening action', () => {
    const e = err('x\n{{ if true }}\n{{ range .l }}\ny');
    expect(e).toMatchObject({ line: 3, column: 1, code: ErrorCodes.syntax });
    expect(e.message).toMatch(/unexpected EOF: \{\{range\}\} has no matching \{\{end\}\}/);
  });
  it('unexpected {{end}} and {{else}}', () => {
    expect(err('x\n {{ end }}')).toMatchObject({ line: 2, column: 2, message: 'unexpected {{end}}' });
    expect(err('{{ else }}').message).toBe('unexpected {{else}}');
  });
  it('undefined variables', () => {
    expect(err('\n {{ $nope }}')).toMatchObject({ line: 2, column: 2, code: ErrorCodes.undefinedVariable, message: 'undefined variable "$nope"' });
  });
  it('break outside range', () => {
    expect(err('{{ if true }}{{ break }}{{ end }}').message).toBe('{{break}} outside {{range}}');
  });
  it('other syntax errors carry Go messages', () => {
    expect(err('{{ 3 | 4 }}').message).toBe('non executable command in pipeline stage 2');
    expect(err('{{ ( 1 }}').message).toBe('unclosed left paren');
    expect(err('{{ 1 ) }}').message).toBe('unexpected ")" in command');
    expect(err('{{ }}').message).toBe('missing value for command');
    expect(err('{{ .a.b$ }}').message).toMatch(/bad character/);
    expect(err('{{ 0x }}').message).toMatch(/number syntax/);
    expect(err('{{ template .x }}').message).toMatch(/unexpected .* in template clause/);
  });
  it('a multi-line action reports the action start and the node', () => {
    const e = err('{{ list\n  1\n  (nosuch) }}');
    expect(e).toMatchObject({ line: 1, column: 1 });
    expect(e.node).toEqual({ line: 3, column: 4 });
  });
});

describe('execution errors', () => {
  it('wrong argument count', () => {
    const e = err('a\n\n   {{ upper "a" "b" }}');
    expect(e).toMatchObject({ line: 3, column: 4, code: ErrorCodes.args, message: 'wrong number of args for upper: want 1 got 2' });
    expect(e.action).toBe('upper "a" "b"');
    expect(err('{{ "a" | upper "b" }}').message).toBe('wrong number of args for upper: want 1 got 2');
    expect(err('{{ ternary 1 }}').message).toBe('wrong number of args for ternary: want 3 got 1');
    expect(err('{{ printf }}').message).toBe('wrong number of args for printf: want at least 1 got 0');
  });
  it('wrong argument types', () => {
    expect(err('{{ upper 3 }}')).toMatchObject({ code: ErrorCodes.type, message: 'expected string; found 3' });
    expect(err('{{ upper .n }}', { n: 3 }).message).toBe('wrong type for value; expected string; got int');
    expect(err('{{ .missing | upper }}').message).toBe('invalid value; expected string');
    expect(err('{{ indent "2" "x" }}').message).toBe('expected integer; found "2"');
    expect(err('{{ ternary 1 2 "yes" }}').message).toBe('expected bool; found "yes"');
    expect(err('{{ upper nil }}').message).toBe('cannot assign nil to string');
  });
  it('required and fail', () => {
    const e = err('image: {{ required "image name is required" .name }}');
    expect(e).toMatchObject({ line: 1, column: 8, code: ErrorCodes.required, message: 'error calling required: image name is required' });
    expect(err('{{ fail "bad config" }}')).toMatchObject({ code: ErrorCodes.fail, message: 'error calling fail: bad config' });
  });
  it('errors inside a partial point into the partial and keep the call sites', () => {
    const partials = [{ name: 'p.tmpl', file: '.werf/p.tmpl', text: 'a\nb {{ fail "boom" }}' }];
    const e = err('x\n{{ include "p.tmpl" . }}', {}, partials);
    expect(e).toMatchObject({ file: '.werf/p.tmpl', line: 2, column: 3, code: ErrorCodes.fail });
    expect(e.trace).toEqual([{ file: 'werf.yaml', line: 2, column: 1 }]);
    const viaTemplate = err('x\n\n{{ template "T" . }}', { a: null }, [{ name: 'd.tmpl', file: '.werf/d.tmpl', text: '{{ define "T" }}\n  {{ .a.b }}{{ end }}' }]);
    expect(viaTemplate).toMatchObject({ file: '.werf/d.tmpl', line: 2, column: 3 });
  });
  it('errors in a tpl string are reported at the tpl call', () => {
    const e = err('line\n  {{ tpl "ok {{ nosuch }}" . }}');
    expect(e).toMatchObject({ file: 'werf.yaml', line: 2, column: 3, code: ErrorCodes.unknownFunction });
    expect(e.message).toMatch(/function "nosuch" not defined \(at line 1, column 4 of the template string\)/);
  });
  it('missing templates', () => {
    expect(err('{{ template "nope" }}')).toMatchObject({ code: ErrorCodes.notFound, message: 'template "nope" not defined' });
  });
  it('functions throwing plain errors are wrapped', () => {
    const e = catchError(() =>
      renderTemplate({
        main: { name: 'm', text: '{{ boom }}' },
        data: {},
        funcs: {
          boom: () => {
            throw new Error('kaput');
          },
        },
      }),
    );
    expect(e).toMatchObject({ code: ErrorCodes.exec, message: 'error calling boom: kaput' });
  });
  it('describe() gives a one-line summary', () => {
    expect(err('{{ upper 1 2 }}').describe()).toBe('werf.yaml:1:1: at <upper 1 2> wrong number of args for upper: want 1 got 2');
  });
});

describe('limits', () => {
  it('infinite include recursion', () => {
    const e = err('{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}');
    expect(e.code).toBe(ErrorCodes.limitDepth);
    expect(e.message).toMatch(/maxDepth = 100/);
  });
  it('infinite template recursion', () => {
    expect(err('{{ define "r" }}x{{ template "r" . }}{{ end }}{{ template "r" . }}').code).toBe(ErrorCodes.limitDepth);
  });
  it('custom depth limit', () => {
    const t = '{{ define "d" }}{{ if gt . 0 }}{{ include "d" (sub . 1) }}{{ end }}{{ . }}{{ end }}{{ include "d" .n }}';
    expect(render(t, { n: 3 }, [], { maxDepth: 4 })).toBe('0123');
    expect(err(t, { n: 4 }, [], { maxDepth: 4 }).code).toBe(ErrorCodes.limitDepth);
  });
  it('a very high depth limit still ends in a TemplateError, not a crash', () => {
    const e = err('{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}', {}, [], { maxDepth: 10_000_000 });
    expect(e.code).toBe(ErrorCodes.limitDepth);
  });
  it('huge until', () => {
    const started = Date.now();
    const e = err('{{ range until 2000000000 }}x{{ end }}');
    expect(e.code).toBe(ErrorCodes.limitIterations);
    expect(e.message).toMatch(/maxIterations = 1000000/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err('{{ seq 5000000 }}').code).toBe(ErrorCodes.limitIterations);
  });
  it('range iterations count in total', () => {
    expect(render('{{ range .l }}{{ range $.l }}.{{ end }}{{ end }}', { l: [1, 2] }, [], { maxIterations: 6 })).toBe('....');
    expect(err('{{ range .l }}{{ range $.l }}.{{ end }}{{ end }}', { l: [1, 2, 3] }, [], { maxIterations: 6 }).code).toBe(ErrorCodes.limitIterations);
  });
  it('output size', () => {
    expect(err('{{ repeat 20000000 "x" }}').code).toBe(ErrorCodes.limitOutput);
    expect(err('{{ range until 50 }}0123456789{{ end }}', {}, [], { maxOutputBytes: 100 })).toMatchObject({
      code: ErrorCodes.limitOutput,
      message: 'output size limit exceeded (maxOutputBytes = 100)',
    });
  });
  it('exponential include blow-up stops at the output limit', () => {
    let t = '{{ define "a0" }}0123456789{{ end }}';
    for (let i = 1; i <= 30; i++) t += `{{ define "a${i}" }}{{ include "a${i - 1}" . }}{{ include "a${i - 1}" . }}{{ end }}`;
    t += '{{ include "a30" . }}';
    const started = Date.now();
    // With the default budget the work limit stops it first; with a small output limit, the output limit does.
    expect(err(t).code).toBe(ErrorCodes.limitSteps);
    expect(err(t, {}, [], { maxOutputBytes: 100_000 }).code).toBe(ErrorCodes.limitOutput);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
