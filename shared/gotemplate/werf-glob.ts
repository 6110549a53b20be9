/**
 * werf's `.Files.Glob` matching (pkg/path_matcher with common-go's path helpers, read from werf's
 * source). The pattern splits into a literal prefix (the leading components without `*?[{\`) and a
 * glob part matched against paths relative to that prefix. A file matches when its relative path
 * matches the glob as written, or the glob with trailing all-`*` components removed, or anything
 * below that: so `conf/*` also matches `conf/sub/x.yaml`, and `conf` (no glob at all) matches every
 * file under `conf`. Component matching follows doublestar: `*` and `?` stay inside one component,
 * `**` as a whole component spans any number of them, `[...]`, `{a,b}` and `\` escapes.
 */
import type { RE2JS } from 're2js';
import { re2 } from '../go/re2';

/** Splits on `/` after cleaning, dropping a leading `/` (werf joins every path onto the project dir). */
export function splitCleanPath(p: string): string[] {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!p.startsWith('/')) out.push('..');
      continue;
    }
    out.push(part);
  }
  return out;
}

const GLOB_CHARS = /[*?[{\\]/;

function trimTrailingStars(parts: string[]): string[] {
  let end = parts.length;
  while (end > 0 && parts[end - 1]!.replace(/\*+$/, '') === '') end--;
  return parts.slice(0, end);
}

/** A doublestar component (no `/`) as a regular expression source; null when it cannot match anything (bad syntax). */
function componentSource(comp: string): string | null {
  let re = '';
  for (let i = 0; i < comp.length; i++) {
    const c = comp[i]!;
    if (c === '*') {
      while (comp[i + 1] === '*') i++;
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= comp.length) return null;
      re += escapeRe(comp[i]!);
    } else if (c === '[') {
      const end = classEnd(comp, i);
      if (end < 0) return null;
      let body = comp.slice(i + 1, end);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      let cls = '';
      for (let j = 0; j < body.length; j++) {
        let ch = body[j]!;
        if (ch === '\\' && j + 1 < body.length) ch = body[++j]!;
        cls += ch === '-' && j > 0 && j < body.length - 1 ? '-' : escapeClass(ch);
      }
      re += negate ? `[^/${cls}]` : `[${cls}]`;
      i = end;
    } else if (c === '{') {
      const end = braceEnd(comp, i);
      if (end < 0) return null;
      const alts = splitAlternatives(comp.slice(i + 1, end)).map(componentSource);
      if (alts.some((a) => a === null)) return null;
      re += `(?:${alts.join('|')})`;
      i = end;
    } else re += escapeRe(c);
  }
  return re;
}

function classEnd(s: string, start: number): number {
  let j = start + 1;
  if (s[j] === '!' || s[j] === '^') j++;
  if (s[j] === ']') j++;
  for (; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === ']') return j;
  }
  return -1;
}

function braceEnd(s: string, start: number): number {
  let depth = 0;
  for (let j = start; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function splitAlternatives(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let j = 0; j < s.length; j++) {
    const c = s[j]!;
    if (c === '\\') {
      cur += c + (s[j + 1] ?? '');
      j++;
    } else if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeClass(s: string): string {
  return s.replace(/[\]\\^-]/g, '\\$&');
}

/** A whole doublestar path pattern (components joined by `/`) as an anchored expression. */
function pathPattern(parts: string[]): RE2JS | null {
  if (parts.length === 0) return null;
  let re = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (part === '**') {
      re += last ? '.*' : '(?:[^/]+/)*';
      continue;
    }
    const src = componentSource(part);
    if (src === null) return null;
    re += src + (last ? '' : '/');
  }
  // re2js, not a backtracking RegExp: a project's `*a*a*a…b` must not take exponential time.
  try {
    const { RE2JS: engine } = re2();
    return engine.compile(`^${re}$`, engine.DOTALL);
  } catch {
    return null; // a class or escape RE2 refuses matches nothing, as a bad doublestar pattern does
  }
}

export interface WerfGlob {
  /** The literal directory (or file) the pattern starts from, without a leading `/`; '' for the project root. */
  prefix: string;
  /** True for a project-relative file path (no leading `/`) that werf's Glob would return. */
  test(path: string): boolean;
}

// Module configs glob the same few patterns once per image (a vex file per image folder, the
// image folders themselves); compiling each RE2 program again cost a tenth of a 47-image render.
const compiled = new Map<string, WerfGlob>();
const COMPILED_MAX = 256;

export function werfGlob(pattern: string): WerfGlob {
  const hit = compiled.get(pattern);
  if (hit) return hit;
  const made = compileWerfGlob(pattern);
  if (compiled.size >= COMPILED_MAX) compiled.clear();
  compiled.set(pattern, made);
  return made;
}

function compileWerfGlob(pattern: string): WerfGlob {
  const parts = splitCleanPath(pattern);
  let i = 0;
  while (i < parts.length && !GLOB_CHARS.test(parts[i]!)) i++;
  const prefixParts = parts.slice(0, i);
  const globParts = parts.slice(i);
  const prefix = prefixParts.join('/');
  const trimmed = trimTrailingStars(globParts);
  const variants = [pathPattern(globParts), pathPattern(trimmed), pathPattern([...trimmed, '**', '*'])].filter(
    (r): r is RE2JS => r !== null,
  );
  return {
    prefix,
    test(path: string): boolean {
      const rel = splitCleanPath(path).join('/');
      let sub: string;
      if (prefix === '') sub = rel;
      else if (rel === prefix) sub = '';
      else if (rel.startsWith(`${prefix}/`)) sub = rel.slice(prefix.length + 1);
      else return false;
      // The prefix itself as a regular file: werf returns it whatever the (empty) glob says.
      if (sub === '') return globParts.length === 0;
      return variants.some((r) => r.matches(sub));
    },
  };
}
