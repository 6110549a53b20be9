import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

/*
 * The emulators, token servers and registry helpers are the evidence the app's drivers are tested
 * against; if they shared the app's code, the app would be checked against itself. The rule: no
 * file under e2e/emulators/ or e2e/services/ (tests included) imports, re-exports or dynamically
 * imports a module that resolves into the repository's shared/ or electron/ folders (type-only
 * imports count too: a shared type is a shared assumption).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FORBIDDEN = ['shared', 'electron'].map((d) => join(root, d) + sep);
const GUARDED = ['e2e/emulators', 'e2e/services'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return /\.(m|c)?[jt]sx?$/.test(e.name) ? [p] : [];
  });
}

/** Every module specifier in a file: `import … from`, `export … from`, bare `import '…'`, `import('…')`, `require('…')`. */
export function specifiers(code: string): string[] {
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*(['"])([^'"]+)\1/g, /\bimport\s*(['"])([^'"]+)\1/g, /\b(?:import|require)\s*\(\s*(['"`])([^'"`]+)\1\s*\)/g];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[2]!);
  return out;
}

function offenders(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return specifiers(code)
    .filter((s) => s.startsWith('.') || s.startsWith('/'))
    .filter((s) => {
      const target = resolve(dirname(file), s);
      return FORBIDDEN.some((f) => target.startsWith(f) || `${target}${sep}` === f);
    })
    .map((s) => `${relative(root, file)} → ${s}`);
}

describe('e2e emulators and services stand apart from the app', () => {
  test('the scanner sees every import form', () => {
    // Built from pieces so that this file's own text holds no forbidden specifier.
    const up = ['..', '..'].join('/');
    const code = [
      `import { a } from '${up}/shared/x';`,
      `import type { B } from '${up}/electron/y';`,
      `export { c } from '${up}/shared/z';`,
      `import '${up}/electron/side-effect';`,
      `const m = await import('${up}/shared/dyn');`,
      "import {\n  d,\n  e,\n} from './local';",
    ].join('\n');
    expect(specifiers(code).sort()).toEqual(['../../electron/side-effect', '../../electron/y', '../../shared/dyn', '../../shared/x', '../../shared/z', './local'].sort());
  });

  test('no file under e2e/emulators or e2e/services imports from shared/ or electron/', () => {
    const files = GUARDED.flatMap((d) => sources(join(root, d)));
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap(offenders)).toEqual([]);
  });
});
