import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, ParsedNode } from 'yaml';
import type { WerfConfigProblemCode } from './codes';
import { isImplicitNull } from './lnode';
import type { LEntry, LMap, LNode, LPos } from './lnode';
import { normalizeResolved } from './scalar';
import { firstYamlDocumentEnd, splitLines } from './split';

/**
 * The `yaml` library reader: used for every document the fast reader declines, and the source of
 * every YAML error we report. It reads YAML 1.1 with `<<` merge keys, as go-yaml v2 (werf) does.
 */

export interface ReadFailure {
  code: WerfConfigProblemCode;
  message: string;
  hint: string;
  line: number;
  col: number;
}

export type LibReadResult = { ok: true; root: LNode } | { ok: false; failure: ReadFailure };

/** go-yaml v2 refuses anything deeper long before this; the `yaml` library overflows its stack at ~800. */
const MAX_FLOW_DEPTH = 256;
const MAX_TREE_DEPTH = 1000;
/** Legit configs alias a handful of anchors; billion-laughs documents need thousands of expansions. */
export const MAX_ALIAS_COUNT = 100;

class Failure extends Error {
  constructor(readonly failure: ReadFailure) {
    super(failure.message);
  }
}

/**
 * Deeply nested flow collections make the `yaml` library slow (quadratic) and, past ~20k levels,
 * can exhaust memory, so we refuse them before parsing. Brackets inside comments are skipped; the
 * limit is far above anything a real werf.yaml needs, so stray brackets in strings cannot reach it.
 */
function flowDepthTooDeep(text: string): number {
  let depth = 0;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      comment = false;
      continue;
    }
    if (comment) continue;
    if (c === 35) {
      const prev = i === 0 ? 10 : text.charCodeAt(i - 1);
      if (prev === 32 || prev === 9 || prev === 10) comment = true;
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 93 || c === 125) && depth > 0) {
      depth--;
    }
  }
  return -1;
}

/** go-yaml compares keys as strings, so `on` and `true` are different keys even though both resolve to true. */
function sameKey(a: ParsedNode, b: ParsedNode): boolean {
  if (a === b) return true;
  if (!isScalar(a) || !isScalar(b)) return false;
  if (typeof a.value === 'symbol' || typeof b.value === 'symbol') return false;
  return scalarKeyText(a) === scalarKeyText(b);
}

function scalarKeyText(s: { source?: string; value: unknown }): string {
  return typeof s.source === 'string' ? s.source : String(s.value);
}

/** Only the first YAML document of `text`, as yaml.v2's Unmarshal reads it (see split.ts). */
function firstDocumentText(text: string): string {
  if (!text.includes('\n---') && !text.includes('\n...') && !text.startsWith('---') && !text.startsWith('...')) return text;
  const src = splitLines(text);
  const end = firstYamlDocumentEnd(src.lines, 0, src.lines.length);
  return end < src.lines.length ? text.slice(0, src.offsets[end]) : text;
}

export function readWithYamlLib(fullText: string, line0: number): LibReadResult {
  const text = firstDocumentText(fullText);
  const lc = new LineCounter();
  const at = (offset: number): LPos => {
    const p = lc.linePos(offset);
    return { line: line0 + Math.max(p.line, 1) - 1, col: p.col };
  };
  const deepAt = flowDepthTooDeep(text);
  if (deepAt >= 0) {
    const before = text.slice(0, deepAt);
    const lineIdx = before.split('\n').length - 1;
    const col = deepAt - (before.lastIndexOf('\n') + 1) + 1;
    return {
      ok: false,
      failure: {
        code: 'yaml-too-deep',
        message: `YAML collections are nested more than ${MAX_FLOW_DEPTH} levels deep`,
        hint: 'This does not look like a real werf.yaml; check that the right file is open.',
        line: line0 + lineIdx,
        col,
      },
    };
  }

  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      version: '1.1',
      merge: true,
      lineCounter: lc,
      prettyErrors: false,
      uniqueKeys: sameKey,
    });
  } catch (e) {
    // The library reports stack overflows as errors, but be safe against anything it throws.
    return { ok: false, failure: { code: 'yaml-too-deep', message: `the YAML cannot be read: ${errorText(e)}`, hint: 'Simplify the document.', line: line0, col: 1 } };
  }

  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const p = at(openerOf(text, err.message, err.pos[0]));
    if (err.code === 'DUPLICATE_KEY') {
      const lineText = text.slice(lc.lineStarts[Math.max(lc.linePos(err.pos[0]).line, 1) - 1] ?? 0).split('\n')[0];
      const key = lineText.slice(p.col - 1).split(':')[0].trim().replace(/^-\s*/, '');
      return {
        ok: false,
        failure: {
          code: 'duplicate-key',
          message: `mapping key \`${key}\` already defined`,
          hint: 'A key may appear only once in a mapping; remove or merge the duplicate.',
          ...p,
        },
      };
    }
    const tooDeep = err.code === 'RESOURCE_EXHAUSTION' || /call stack/i.test(err.message);
    return {
      ok: false,
      failure: {
        code: tooDeep ? 'yaml-too-deep' : 'yaml-syntax',
        message: tooDeep ? 'the YAML is nested too deeply to read' : `YAML syntax error: ${firstLine(err.message)}`,
        hint: tooDeep ? 'Simplify the document.' : 'Fix the YAML at this position; werf cannot use the file until it parses.',
        ...p,
      },
    };
  }

  // Alias expansion is checked by the library itself before we walk the tree.
  const firstAlias = text.includes('*') ? findFirstAlias(doc) : null;
  if (firstAlias !== null) {
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      if (e instanceof ReferenceError) {
        return {
          ok: false,
          failure: {
            code: 'yaml-alias-limit',
            message: `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} expansions): this looks like a "billion laughs" document`,
            hint: 'Use fewer aliases (`*name`) or write the values out.',
            ...at(firstAlias),
          },
        };
      }
      // Other errors (for example a bad merge source) are reported by the walk below.
    }
  }

  try {
    return { ok: true, root: new Converter(doc, text, at).root() };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, failure: e.failure };
    throw e;
  }
}

/**
 * The library reports an unclosed quote or bracket where it expected the closing character, often
 * the start of the next document. The opening character is where the user has to look.
 */
function openerOf(text: string, message: string, offset: number): number {
  const quote = /Missing closing (["'])quote/.exec(message)?.[1];
  if (quote) {
    const i = text.lastIndexOf(quote, Math.min(offset, text.length) - 1);
    return i >= 0 ? i : offset;
  }
  const bracket = /must be sufficiently indented and end with a ([\]}])/.exec(message)?.[1];
  if (bracket) {
    const open = bracket === ']' ? '[' : '{';
    let depth = 0;
    for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
      const c = text[i];
      if (c === bracket) depth++;
      else if (c === open) {
        if (depth === 0) return i;
        depth--;
      }
    }
  }
  return offset;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

function errorText(e: unknown): string {
  return e instanceof Error ? firstLine(e.message) : String(e);
}

/** The earliest alias in the document; the walk sees every node once (aliases are not followed). */
function findFirstAlias(doc: Document.Parsed): number | null {
  let found: number | null = null;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isAlias(n)) {
      const at = n.range?.[0] ?? 0;
      if (found === null || at < found) found = at;
    } else if (isMap(n) || isSeq(n)) {
      for (const it of n.items) {
        if (isPair(it)) stack.push(it.key, it.value);
        else stack.push(it);
      }
    }
  }
  return found;
}

type Node = ParsedNode | null | undefined;

class Converter {
  private readonly memo = new Map<unknown, LNode>();
  private readonly active = new Set<unknown>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly text: string,
    private readonly at: (offset: number) => LPos,
  ) {}

  root(): LNode {
    const contents = this.doc.contents as Node;
    if (!contents) return { t: 's', v: null, text: '', plain: true, ...this.at(0) };
    return this.conv(contents, 0);
  }

  private fail(code: WerfConfigProblemCode, message: string, hint: string, offset: number): never {
    throw new Failure({ code, message, hint, ...this.at(offset) });
  }

  private conv(input: unknown, depth: number): LNode {
    let node = input;
    if (depth > MAX_TREE_DEPTH) this.fail('yaml-too-deep', 'the YAML is nested too deeply to read', 'Simplify the document.', 0);
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) this.fail('yaml-syntax', `YAML syntax error: unresolved alias *${node.source}`, 'Define the anchor before using it.', node.range?.[0] ?? 0);
      node = target;
    }
    const hit = this.memo.get(node);
    if (hit) return hit;
    if (this.active.has(node)) {
      const off = (node as { range?: [number, number, number] }).range?.[0] ?? 0;
      this.fail('yaml-alias-cycle', 'a YAML alias refers to a node that contains it', 'An anchored node cannot contain an alias to itself.', off);
    }
    this.active.add(node);
    let out: LNode;
    if (isScalar(node)) {
      const text = scalarKeyText(node);
      out = {
        t: 's',
        v: normalizeResolved(node.value, text),
        text,
        plain: node.type === 'PLAIN',
        ...this.at(node.range?.[0] ?? 0),
      };
    } else if (isMap(node)) {
      out = this.map(node.items, node.range?.[0], depth);
    } else if (isSeq(node)) {
      const items: LNode[] = [];
      for (const it of node.items) {
        if (isPair(it)) {
          // !!omap / !!pairs items: keep them as one-entry maps.
          items.push(this.map([it], undefined, depth));
          continue;
        }
        let item = this.conv(it, depth + 1);
        if (isImplicitNull(item)) item = { ...item, ...this.dashBefore(item, it) };
        items.push(item);
      }
      out = { t: 'q', items, ...this.at(node.range?.[0] ?? 0) };
    } else {
      out = { t: 's', v: null, text: '', plain: true, ...this.at(0) };
    }
    this.active.delete(node);
    this.memo.set(node, out);
    return out;
  }

  /** Both readers place an empty list item at its dash, so the position does not depend on the reader. */
  private dashBefore(item: LPos, node: unknown): LPos {
    const off = (node as { range?: [number, number, number] } | null)?.range?.[0];
    if (off === undefined) return item;
    let p = off - 1;
    while (p >= 0 && this.text.charCodeAt(p) === 32) p--;
    return this.text.charCodeAt(p) === 45 ? this.at(p) : item;
  }

  private keyOf(key: unknown): string {
    let k = key;
    if (isAlias(k)) k = k.resolve(this.doc);
    if (isScalar(k)) return scalarKeyText(k);
    if (k === null || k === undefined) return '';
    // Collection keys cannot name a werf field; a readable text keeps the error message useful.
    const js: unknown = (k as { toJSON?: () => unknown }).toJSON?.();
    return JSON.stringify(js) ?? '';
  }

  private isMerge(key: unknown): boolean {
    return isScalar(key) && typeof key.value === 'symbol';
  }

  private map(items: unknown[], rangeStart: number | undefined, depth: number): LMap {
    const explicit = new Set<string>();
    for (const it of items) {
      if (isPair(it) && !this.isMerge(it.key)) explicit.add(this.keyOf(it.key));
    }
    const entries: LEntry[] = [];
    const present = new Set<string>();
    for (const it of items) {
      if (!isPair(it)) continue;
      if (this.isMerge(it.key)) {
        for (const source of this.mergeSources(it.value, depth)) {
          for (const e of source.entries) {
            if (explicit.has(e.key) || present.has(e.key)) continue;
            entries.push(e);
            present.add(e.key);
          }
        }
        continue;
      }
      const key = this.keyOf(it.key);
      const keyNode = it.key as { range?: [number, number, number] } | null;
      const valueNode = it.value as { range?: [number, number, number] } | null;
      const keyPos = this.at(keyNode?.range?.[0] ?? valueNode?.range?.[0] ?? rangeStart ?? 0);
      let value: LNode = it.value === null || it.value === undefined
        ? { t: 's', v: null, text: '', plain: true, ...keyPos }
        : this.conv(it.value, depth + 1);
      if (isImplicitNull(value)) value = { ...value, line: keyPos.line, col: keyPos.col };
      entries.push({ key, line: keyPos.line, col: keyPos.col, value });
      present.add(key);
    }
    const start = rangeStart !== undefined ? this.at(rangeStart) : entries[0] ?? this.at(0);
    return { t: 'm', line: start.line, col: start.col, entries };
  }

  private mergeSources(value: unknown, depth: number): LMap[] {
    let v = value;
    if (isAlias(v)) v = v.resolve(this.doc);
    const list = isSeq(v) ? v.items : [v];
    const out: LMap[] = [];
    for (const item of list) {
      const node = this.conv(item, depth + 1);
      if (node.t !== 'm') {
        const off = (item as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
        this.fail('yaml-syntax', 'YAML syntax error: merge (`<<`) sources must be maps or aliases of maps', 'Point `<<` at an anchored map.', off);
      }
      out.push(node);
    }
    return out;
  }
}
