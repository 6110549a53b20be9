/** Conversions sprig performs on interface{} arguments (spf13/cast and sprig's strval/strslice). */
import { FuncError } from '../errors';
import { formatValue } from '../format';
import { parseGoInt } from '../literals';
import { GoFloat, isMap, isNil, kindName, stringerOf } from '../values';

/** cast's trimZeroDecimal: "12.000" parses as an int, "12.5" does not. */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

/** cast.ToInt64 with errors ignored, as sprig's math functions use it. */
export function toInt64(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (v instanceof GoFloat) return Math.trunc(v.value);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return parseGoInt(trimZeroDecimal(v)) ?? 0;
  if (typeof v === 'bigint') return Number(v);
  return 0;
}

/** cast.ToFloat64 with errors ignored. */
export function toFloat64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim() === v ? v : '';
    if (!/^[+-]?(?:(?:\d[\d_]*)?\.?\d*(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i.test(t) || t === '' || t === '.') return 0;
    const lower = t.toLowerCase();
    if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
    if (lower.endsWith('nan')) return NaN;
    const n = Number(t.replace(/_/g, ''));
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** sprig's strval: strings as is, Stringers via String(), everything else through %v. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  const s = stringerOf(v);
  if (s !== undefined) return s;
  if (v instanceof Error) return v.message;
  return formatValue(v);
}

/** sprig's strslice: list elements as strings (nils dropped), a scalar as a one-element list. */
export function strslice(v: unknown): string[] {
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const e of v) if (!isNil(e)) out.push(strval(e));
    return out;
  }
  if (isNil(v)) return [];
  return [strval(v)];
}

/** reflect.TypeOf(x).Kind() in sprig's "Cannot X on type K" messages. */
export function kindForMessage(v: unknown): string {
  if (isMap(v)) return 'map';
  return kindName(v);
}

/** The list argument of sprig's list functions; errors like sprig for other kinds. */
export function requireList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (isNil(v)) throw new FuncError('runtime error: invalid memory address or nil pointer dereference');
  throw new FuncError(`Cannot ${what} on type ${kindForMessage(v)}`);
}
