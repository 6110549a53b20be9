/** sprig integer math (int64 via cast), decimal float math (shopspring/decimal) and sequences. */
import { FuncError } from '../errors';
import { fn, fnc, fncv, fnv, type FuncDef } from '../funcs';
import { makeFloat } from '../values';
import { toFloat64, toInt64 } from './convert';

function intDiv(a: number, b: number): number {
  if (b === 0) throw new FuncError('runtime error: integer divide by zero');
  // Integer division never gives -0 (float64 of it would print "-0").
  return Math.trunc(a / b) + 0;
}

function intMod(a: number, b: number): number {
  if (b === 0) throw new FuncError('runtime error: integer divide by zero');
  return a % b;
}

// --- exact decimal arithmetic, as sprig's addf/subf/mulf/divf use ---------------------------------

interface Dec {
  m: bigint;
  e: number;
}

function decFromFloat(x: number): Dec {
  if (!Number.isFinite(x)) throw new FuncError(`Cannot create a Decimal from ${x}`);
  if (x === 0) return { m: 0n, e: 0 };
  const s = x.toExponential();
  const [mant, exp] = s.split('e');
  const digits = mant.replace('.', '').replace('-', '');
  const frac = mant.includes('.') ? mant.split('.')[1].length : 0;
  return { m: BigInt((x < 0 ? '-' : '') + digits), e: Number(exp) - frac };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

function decToFloat(d: Dec): number {
  return Number(`${d.m}e${d.e}`);
}

const DIVISION_PRECISION = 16;

function decDiv(a: Dec, b: Dec): Dec {
  if (b.m === 0n) throw new FuncError('decimal division by zero');
  // quotient with DIVISION_PRECISION fractional digits, rounded half away from zero
  const shift = a.e - b.e + DIVISION_PRECISION + 1;
  let num = a.m;
  let den = b.m;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  let q = num / den;
  const neg = q < 0n;
  if (neg) q = -q;
  q = (q + 5n) / 10n;
  return { m: neg ? -q : q, e: -DIVISION_PRECISION };
}

type DecOp = (a: Dec, b: Dec) => Dec;

const decAdd: DecOp = (a, b) => {
  const [x, y, e] = align(a, b);
  return { m: x + y, e };
};
const decSub: DecOp = (a, b) => {
  const [x, y, e] = align(a, b);
  return { m: x - y, e };
};
const decMul: DecOp = (a, b) => ({ m: a.m * b.m, e: a.e + b.e });

function decimalOp(first: unknown, rest: unknown[], op: DecOp): number | object {
  let acc = decFromFloat(toFloat64(first));
  for (const x of rest) acc = op(acc, decFromFloat(toFloat64(x)));
  return makeFloat(decToFloat(acc));
}

function goRound(a: unknown, p: number, ...rOpt: number[]): number | object {
  const roundOn = rOpt.length > 0 ? rOpt[0] : 0.5;
  const val = toFloat64(a);
  const pow = Math.pow(10, p);
  const digit = pow * val;
  const frac = digit - Math.trunc(digit);
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return makeFloat(r / pow);
}

/** untilStep without building anything before the iteration budget is charged. */
function untilStep(ctx: { countIterations(n: number): void }, start: number, stop: number, step: number): number[] {
  let count = 0;
  if (stop < start) {
    if (step >= 0) return [];
    count = Math.ceil((start - stop) / -step);
  } else {
    if (step <= 0) return [];
    count = Math.ceil((stop - start) / step);
  }
  ctx.countIterations(count);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  return out;
}

function seq(ctx: { countIterations(n: number): void }, params: number[]): string {
  let increment = 1;
  switch (params.length) {
    case 1: {
      const end = params[0];
      if (end < 1) increment = -1;
      return untilStep(ctx, 1, end + increment, increment).join(' ');
    }
    case 2: {
      const [start, end] = params;
      if (end < start) increment = -1;
      return untilStep(ctx, start, end + increment, increment).join(' ');
    }
    case 3: {
      const [start, step, end] = params;
      if (end < start) {
        increment = -1;
        if (step > 0) return '';
      } else if (step < 0) return '';
      return untilStep(ctx, start, end + increment, step).join(' ');
    }
    default:
      return '';
  }
}

function randInt(min: number, max: number): number {
  if (max - min <= 0) throw new FuncError('invalid argument to Intn');
  const r = new Uint32Array(1);
  crypto.getRandomValues(r);
  return min + (r[0] % (max - min));
}

export const MATH_FUNCS: [string, FuncDef][] = [
  ['add1', fn(['any'], (a) => toInt64(a) + 1)],
  ['add', fnv([], 'any', (...v) => v.reduce<number>((s, x) => s + toInt64(x), 0))],
  ['sub', fn(['any', 'any'], (a, b) => toInt64(a) - toInt64(b))],
  ['div', fn(['any', 'any'], (a, b) => intDiv(toInt64(a), toInt64(b)))],
  ['mod', fn(['any', 'any'], (a, b) => intMod(toInt64(a), toInt64(b)))],
  ['mul', fnv(['any'], 'any', (a, ...v) => v.reduce<number>((s, x) => s * toInt64(x), toInt64(a)))],
  ['randInt', fn(['int', 'int'], randInt)],
  ['add1f', fn(['any'], (a) => decimalOp(a, [1], decAdd))],
  ['addf', fnv([], 'any', (...v) => decimalOp(0, v, decAdd))],
  ['subf', fnv(['any'], 'any', (a, ...v) => decimalOp(a, v, decSub))],
  ['divf', fnv(['any'], 'any', (a, ...v) => decimalOp(a, v, decDiv))],
  ['mulf', fnv(['any'], 'any', (a, ...v) => decimalOp(a, v, decMul))],
  ['biggest', fnv(['any'], 'any', (a, ...v) => v.reduce<number>((m, x) => Math.max(m, toInt64(x)), toInt64(a)))],
  ['max', fnv(['any'], 'any', (a, ...v) => v.reduce<number>((m, x) => Math.max(m, toInt64(x)), toInt64(a)))],
  ['min', fnv(['any'], 'any', (a, ...v) => v.reduce<number>((m, x) => Math.min(m, toInt64(x)), toInt64(a)))],
  ['maxf', fnv(['any'], 'any', (a, ...v) => makeFloat(v.reduce<number>((m, x) => Math.max(m, toFloat64(x)), toFloat64(a))))],
  ['minf', fnv(['any'], 'any', (a, ...v) => makeFloat(v.reduce<number>((m, x) => Math.min(m, toFloat64(x)), toFloat64(a))))],
  ['ceil', fn(['any'], (a) => makeFloat(Math.ceil(toFloat64(a))))],
  ['floor', fn(['any'], (a) => makeFloat(Math.floor(toFloat64(a))))],
  ['round', fnv(['any', 'int'], 'float', goRound)],
  ['until', fnc(['int'], (ctx, n) => untilStep(ctx, 0, n, n < 0 ? -1 : 1))],
  ['untilStep', fnc(['int', 'int', 'int'], untilStep)],
  ['seq', fncv([], 'int', (ctx, ...p) => seq(ctx, p))],
];
