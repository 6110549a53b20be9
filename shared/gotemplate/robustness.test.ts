import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, ErrorCodes, ReadBudgetError, renderTemplate, renderWerfConfig, TemplateError, type WerfTemplateHost } from './index';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  '{{', '}}', '{{-', ' -}}', ' ', '\n', '.', '.a', '.a.b', '$', '$x', ':=', '=', '|', '(', ')', '"s"', '`r`', "'c'",
  '1', '-2', '0x1F', '1.5', 'if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue',
  'nil', 'true', 'upper', 'printf', 'include', 'tpl', 'default', 'list', 'dict', 'index', 'len', 'eq', 'and', ',',
  '/*', '*/', '"unterminated', 'text', '{{/*', '*/}}', 'x',
];

describe('robustness', () => {
  it('random input either renders or raises a TemplateError, and never hangs', () => {
    const next = rng(42);
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const len = 1 + Math.floor(next() * 14);
      for (let k = 0; k < len; k++) text += PIECES[Math.floor(next() * PIECES.length)];
      try {
        const out = renderTemplate({ main: { name: 'fuzz', text }, data: { a: { b: [1, 'x'] } }, limits: { maxIterations: 1000, maxDepth: 20 } });
        expect(typeof out).toBe('string');
      } catch (e) {
        if (!(e instanceof TemplateError)) throw new Error(`non-template error for ${JSON.stringify(text)}: ${String(e)}`);
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

function renderError(text: string, opts: Partial<Parameters<typeof renderTemplate>[0]> = {}): TemplateError {
  try {
    renderTemplate({ main: { name: 'werf.yaml', text }, data: null, ...opts });
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

/** Runs `f` and returns its result with the milliseconds it took. */
function timed<T>(f: () => T): [T, number] {
  const started = performance.now();
  const r = f();
  return [r, performance.now() - started];
}

describe('hostile templates end quickly with a limit error', () => {
  it('fan-out recursion: every template call counts toward the work budget', () => {
    const text = [
      '{{ define "a" }}',
      '{{- if lt (len .) 60 }}{{ include "a" (print . "x") }}{{ include "a" (print . "y") }}{{ end }}',
      '{{- end }}{{ include "a" "" }}',
    ].join('\n');
    const [e, ms] = timed(() => renderError(text));
    expect(e.code).toBe(ErrorCodes.limitSteps);
    expect(e.message).toBe(`template work limit exceeded (maxSteps = ${DEFAULT_LIMITS.maxSteps})`);
    expect(e.file).toBe('werf.yaml');
    expect(e.line).toBe(2);
    // The calls that led there, outermost first: the main file's include, then the partial's own.
    expect(e.trace[0]).toMatchObject({ file: 'werf.yaml', line: 3 });
    expect(e.trace.length).toBeGreaterThan(1);
    // It ran for minutes before; now about a tenth of a second, with room for a loaded machine.
    expect(ms).toBeLessThan(2000);
  });

  it('the same fan-out through {{ template }} and through tpl', () => {
    const viaTemplate = '{{ define "a" }}{{ if lt (len .) 60 }}{{ template "a" (print . "x") }}{{ template "a" (print . "y") }}{{ end }}{{ end }}{{ template "a" "" }}';
    // A smaller budget than the default: what is tested is that these calls count at all.
    const limits = { maxSteps: 200_000 };
    const [e1, ms1] = timed(() => renderError(viaTemplate, { limits }));
    expect(e1.code).toBe(ErrorCodes.limitSteps);
    expect(ms1).toBeLessThan(2000);
    // tpl re-parses its text each time: the call and the parse both count.
    // (40 levels: each one nests a tpl and an include, and 2 × 60 would pass maxDepth first.)
    const viaTpl = '{{ define "a" }}{{ if lt (len .) 40 }}{{ tpl "{{ include \\"a\\" (print . \\"x\\") }}{{ include \\"a\\" (print . \\"y\\") }}" . }}{{ end }}{{ end }}{{ include "a" "" }}';
    const [e2, ms2] = timed(() => renderError(viaTpl, { limits }));
    expect(e2.code).toBe(ErrorCodes.limitSteps);
    expect(ms2).toBeLessThan(2000);
  });

  it('a custom step budget counts actions, calls and iterations', () => {
    // 10 iterations, each an iteration step plus an action step plus a function call: 30 steps and the range itself.
    const loop = '{{ range until 10 }}{{ print . }}{{ end }}';
    expect(renderTemplate({ main: { name: 'm', text: loop }, data: null, limits: { maxSteps: 32 } })).toBe('0123456789');
    expect(renderError(loop, { limits: { maxSteps: 25 } }).code).toBe(ErrorCodes.limitSteps);
  });

  it('a wall-clock budget stops a slow render at the line last executed, checked with the injected clock', () => {
    // A clock that advances 1 ms per reading: the budget runs out after a known number of checks.
    let t = 0;
    const clock = (): number => t++;
    const text = 'a: 1\n{{ range until 20000 }}\n{{ . }}{{ end }}';
    const e = renderError(text, { limits: { maxRenderMs: 5 }, clock });
    expect(e.code).toBe(ErrorCodes.limitTime);
    expect(e.message).toBe('template render time limit exceeded (maxRenderMs = 5)');
    expect(e).toMatchObject({ file: 'werf.yaml', line: 3 });
    // Read once at the start and then once every CLOCK_CHECK_STEPS steps, not per action.
    expect(t).toBe(7);
    // Without a budget the same render completes.
    expect(renderTemplate({ main: { name: 'm', text }, data: null, clock }).length).toBeGreaterThan(20000);
  });

  it('a real clock stops the fan-out when its budget is smaller than the step budget', () => {
    const text = '{{ define "a" }}{{ if lt (len .) 60 }}{{ include "a" (print . "x") }}{{ include "a" (print . "y") }}{{ end }}{{ end }}{{ include "a" "" }}';
    const [e, ms] = timed(() => renderError(text, { limits: { maxRenderMs: 20, maxSteps: 1e12 } }));
    expect(e.code).toBe(ErrorCodes.limitTime);
    expect(e.line).toBe(1);
    expect(ms).toBeLessThan(2000);
  });
});

describe('regular expressions from a template match in linear time', () => {
  it('regexMatch "^(a+)+$" on 51 a\'s and a b (88 s with a backtracking engine)', () => {
    const [out, ms] = timed(() => renderTemplate({ main: { name: 'm', text: `{{ regexMatch "^(a+)+$" "${'a'.repeat(51)}b" }}` }, data: null }));
    expect(out).toBe('false');
    expect(ms).toBeLessThan(2000);
  });

  it('regexFind "(x+x+)+y" on 5,000 x\'s (ran past 120 s)', () => {
    const [out, ms] = timed(() => renderTemplate({ main: { name: 'm', text: '[{{ regexFind "(x+x+)+y" (repeat 5000 "x") }}]' }, data: null }));
    expect(out).toBe('[]');
    expect(ms).toBeLessThan(2000);
  });

  it('the other regex functions too', () => {
    const text = [
      '{{ $s := repeat 3000 "a" }}',
      '{{- len (regexFindAll "(a|aa)+$" (print $s "b") -1) }}',
      '{{ len (regexReplaceAll "(a|aa)+$" (print $s "b") "z") }}',
      '{{ len (regexSplit "(a|aa)+c" $s -1) }}',
      '{{ mustRegexMatch "(.*a){20}x" $s }}',
    ].join('\n');
    const [out, ms] = timed(() => renderTemplate({ main: { name: 'm', text }, data: null }));
    expect(out).toBe('0\n3001\n1\nfalse');
    expect(ms).toBeLessThan(2000);
  });
});

describe('.Files reads have one budget for the whole render', () => {
  const FOUR_MB = 'x'.repeat(4 * 1024 * 1024);
  /** A host with one 4 MB file and `links` paths that all lead to it (like hard links); counts what it reads. */
  function bigHost(links: number, honourBudget: boolean) {
    const stats = { reads: 0, chars: 0 };
    const host: WerfTemplateHost = {
      env: () => undefined,
      readFile: (path, maxBytes) => {
        if (path !== 'big.txt' && !path.startsWith('links/')) return null;
        if (honourBudget && FOUR_MB.length > maxBytes) throw new ReadBudgetError(path, FOUR_MB.length);
        stats.reads++;
        stats.chars += FOUR_MB.length;
        return FOUR_MB;
      },
      glob: (pattern) => (pattern === 'links/*' ? Array.from({ length: links }, (_, i) => `links/${i}`) : []),
      now: () => new Date(0),
    };
    return { host, stats };
  }
  const werfError = (text: string, host: WerfTemplateHost): TemplateError => {
    try {
      renderWerfConfig({ configFile: { name: 'werf.yaml', text }, partials: [], host });
    } catch (e) {
      if (e instanceof TemplateError) return e;
      throw e;
    }
    throw new Error('expected a TemplateError');
  };

  it('3,000 × .Files.Get of a 4 MB file stops at the budget, before the host reads past it', () => {
    const { host, stats } = bigHost(0, true);
    const text = 'project: p\n{{ range until 3000 }}{{ $_ := $.Files.Get "big.txt" }}{{ end }}';
    const [e, ms] = timed(() => werfError(text, host));
    expect(e.code).toBe(ErrorCodes.limitRead);
    expect(e).toMatchObject({ file: 'werf.yaml', line: 2 });
    expect(e.message).toMatch(/reading big\.txt \(4194304 bytes\): the template has read 67108864 bytes of project files, and the limit for one render is 67108864 \(maxReadBytes\)/);
    expect(stats.chars).toBeLessThanOrEqual(DEFAULT_LIMITS.maxReadBytes);
    expect(ms).toBeLessThan(2000);
  });

  it('.Files.Glob over 1,500 links to a 4 MB file stops at the budget', () => {
    const { host, stats } = bigHost(1500, true);
    const [e, ms] = timed(() => werfError('project: p\na: {{ len (.Files.Glob "links/*") }}', host));
    expect(e.code).toBe(ErrorCodes.limitRead);
    expect(e.line).toBe(2);
    expect(stats.reads).toBe(16);
    expect(ms).toBeLessThan(2000);
  });

  it('a host that ignores maxBytes is still stopped by what it returns', () => {
    const { host, stats } = bigHost(1500, false);
    const e = werfError('project: p\na: {{ len (.Files.Glob "links/*") }}', host);
    expect(e.code).toBe(ErrorCodes.limitRead);
    expect(stats.reads).toBe(17);
  });

  it('a custom budget, and reads within it render', () => {
    const { host } = bigHost(2, true);
    const text = 'project: p\na: {{ len (.Files.Get "big.txt") }}\nb: {{ len (.Files.Glob "links/*") }}';
    expect(renderWerfConfig({ configFile: { name: 'werf.yaml', text }, partials: [], host }).text).toBe('project: p\na: 4194304\nb: 2');
    const e = (() => {
      try {
        renderWerfConfig({ configFile: { name: 'werf.yaml', text }, partials: [], host, limits: { maxReadBytes: 10 * 1024 * 1024 } });
      } catch (err) {
        return err as TemplateError;
      }
      throw new Error('expected a TemplateError');
    })();
    expect(e).toMatchObject({ code: ErrorCodes.limitRead, line: 3 });
  });
});
