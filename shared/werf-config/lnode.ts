/**
 * The located tree both YAML readers produce (the fast line reader and the `yaml` library path).
 * Keeping one small shape lets the validators ignore which reader ran, and lets the tests compare
 * the two readers node by node.
 */

export interface LPos {
  /** 1-based line in the whole file. */
  line: number;
  /** 1-based column (UTF-16 units, as the `yaml` library counts). */
  col: number;
}

export interface LScalar extends LPos {
  t: 's';
  /** Resolved with the YAML 1.1 schema, as go-yaml v2 (used by werf) does: `yes` is true, `0777` is 511. */
  v: string | number | boolean | null;
  /**
   * The string go-yaml hands to a `string` field: the source text of a plain scalar, the decoded text
   * of a quoted or block scalar. `''` for an empty value.
   */
  text: string;
  plain: boolean;
}

export interface LEntry extends LPos {
  key: string;
  value: LNode;
}

export interface LMap extends LPos {
  t: 'm';
  entries: LEntry[];
}

export interface LSeq extends LPos {
  t: 'q';
  items: LNode[];
}

export type LNode = LScalar | LMap | LSeq;

export function isImplicitNull(n: LNode): boolean {
  return n.t === 's' && n.plain && n.v === null && n.text === '';
}

/**
 * JSON-safe plain data for display. Timestamps and binary stay as their source text, and non-finite
 * floats become text too, because JSON has no way to carry them.
 */
export function toPlain(n: LNode, budget: { left: number }): unknown {
  budget.left--;
  if (budget.left < 0) return null;
  if (n.t === 's') {
    if (typeof n.v === 'number' && !Number.isFinite(n.v)) return n.text;
    return n.v;
  }
  if (n.t === 'q') return n.items.map((it) => toPlain(it, budget));
  const out: Record<string, unknown> = {};
  for (const e of n.entries) {
    const value = toPlain(e.value, budget);
    // A key named __proto__ would otherwise replace the prototype instead of becoming a field.
    if (e.key === '__proto__') {
      Object.defineProperty(out, e.key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      out[e.key] = value;
    }
  }
  return out;
}

export function entryOf(m: LMap, key: string): LEntry | undefined {
  for (const e of m.entries) if (e.key === key) return e;
  return undefined;
}
