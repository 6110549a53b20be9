/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';

/**
 * The colour themes in styles.css: both sets define the same variables, text pairs meet WCAG 2.x
 * AA (4.5:1), and no stylesheet writes a colour outside the variable sets (a literal colour is
 * right in one theme and wrong in the other).
 */
// The stylesheets as the bundler sees them (Vite's raw imports): the renderer reads no files itself.
const sheets = import.meta.glob<string>(['./styles.css', './features/**/*.css'], { query: '?raw', import: 'default', eager: true });
const css = sheets['./styles.css']!;

function block(selector: string): string {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`no ${selector} block`);
  return css.slice(start, css.indexOf('}', start));
}

function vars(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/--([a-z0-9-]+):\s*([^;]+);/g)) out.set(m[1]!, m[2]!.trim());
  return out;
}

const light = vars(block(':root'));
const dark = vars(block(":root[data-theme='dark']"));
const systemDark = vars(block(":root:not([data-theme='light'])"));

function rgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

// Text colour on the backgrounds it is drawn on in the views.
const TEXT_PAIRS: [string, string][] = [
  ['text', 'bg'], ['text', 'panel'], ['text', 'code-bg'], ['text', 'group-bg'], ['text', 'row-hover'], ['text', 'head-bg'],
  ['muted', 'bg'], ['muted', 'panel'], ['muted', 'head-bg'], ['muted', 'subtle'], ['muted', 'step-bg'], ['muted', 'group-bg'],
  ['accent', 'panel'], ['accent', 'bg'], ['accent', 'accent-soft'], ['on-accent', 'accent'],
  ['error', 'panel'], ['error', 'error-soft'], ['on-error', 'error'],
  ['warn', 'panel'], ['warn', 'warn-soft'],
  ['ok', 'panel'], ['ok', 'ok-soft'], ['ok', 'step-pass'],
  ['topbar-text', 'topbar-bg'], ['topbar-ghost', 'topbar-bg'], ['topbar-muted', 'topbar-bg'],
  ['codeview-text', 'codeview-bg'], ['codeview-ln', 'codeview-bg'],
];

describe('colour themes', () => {
  it('the dark set defines every variable the light set does, and the system-dark block is the same set', () => {
    const colours = [...light.keys()].filter((k) => k !== 'mono');
    expect([...dark.keys()].sort()).toEqual(colours.sort());
    expect(systemDark).toEqual(dark);
  });

  for (const [name, set] of [['light', light], ['dark', dark]] as const) {
    it(`${name}: text meets WCAG AA contrast`, () => {
      const failing = TEXT_PAIRS.map(([fg, bg]) => ({ fg, bg, ratio: contrast(set.get(fg)!, set.get(bg)!) })).filter((p) => p.ratio < 4.5);
      expect(failing).toEqual([]);
    });
  }

  it('no stylesheet writes a literal colour outside the variable sets', () => {
    expect(Object.keys(sheets).length).toBeGreaterThan(3);
    const literal = /#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(|\b(?:white|black)\b(?![-\w])/;
    const offenders: string[] = [];
    for (const [file, text] of Object.entries(sheets)) {
      text.split('\n').forEach((line, i) => {
        if (/^\s*--[a-z0-9-]+:/.test(line)) return;
        if (literal.test(line.replace(/white-space:\s*[a-z-]+/g, ''))) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the contrast formula gives the known extremes', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
