import { describe, expect, it } from 'vitest';
import { renderTemplate, TemplateError } from './index';

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
