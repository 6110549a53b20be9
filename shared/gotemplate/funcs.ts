/**
 * Function table model. Each function declares Go-like parameter types so the executor can apply
 * Go's argument rules (literal kinds, "wrong type for value", nil into a string parameter, arity)
 * before calling the implementation.
 */
import type { TemplateLocation } from './errors';
import type { GoMap } from './values';

/**
 * - any: interface{}; nil arrives as null/undefined.
 * - value: reflect.Value as the builtins take it (no conversion at all).
 * - string/int/float/bool: the Go basic type; values of another type are rejected.
 * - map: map[string]interface{} (nil allowed, arrives as null).
 */
export type ParamType = 'any' | 'value' | 'string' | 'int' | 'float' | 'bool' | 'map';

/** What functions may ask of the running engine. */
export interface CallContext {
  now(): Date;
  env(name: string): string | undefined;
  /** Adds n to the loop-iteration budget; throws the limit error when it runs out. */
  countIterations(n: number): void;
  /** Throws the output-size limit error if a string of n bytes would not fit. */
  checkSize(n: number): void;
  include(name: string, data: unknown): string;
  tpl(text: string, data: unknown): string;
  location(): TemplateLocation;
}

export interface FuncDef {
  params: readonly ParamType[];
  variadic?: ParamType;
  call: (args: unknown[], ctx: CallContext) => unknown;
  /** Go template builtins that the executor treats specially. */
  special?: 'and' | 'or';
}

type TypeOf<P extends ParamType> = P extends 'string'
  ? string
  : P extends 'int' | 'float'
    ? number
    : P extends 'bool'
      ? boolean
      : P extends 'map'
        ? GoMap | null
        : unknown;

type ArgsOf<Ps extends readonly ParamType[]> = { -readonly [K in keyof Ps]: TypeOf<Ps[K]> };

type AnyImpl = (...args: never[]) => unknown;

function invoke(impl: AnyImpl, args: unknown[]): unknown {
  return (impl as (...a: unknown[]) => unknown)(...args);
}

/** A function with fixed parameters. */
export function fn<const Ps extends readonly ParamType[]>(params: Ps, impl: (...args: ArgsOf<Ps>) => unknown): FuncDef {
  return { params, call: (args) => invoke(impl, args) };
}

/** A function with fixed parameters followed by a variadic tail. */
export function fnv<const Ps extends readonly ParamType[], const V extends ParamType>(
  params: Ps,
  variadic: V,
  impl: (...args: [...ArgsOf<Ps>, ...TypeOf<V>[]]) => unknown,
): FuncDef {
  return { params, variadic, call: (args) => invoke(impl, args) };
}

/** A function that needs the engine (time, environment, limits, templates). */
export function fnc<const Ps extends readonly ParamType[]>(
  params: Ps,
  impl: (ctx: CallContext, ...args: ArgsOf<Ps>) => unknown,
): FuncDef {
  return { params, call: (args, ctx) => invoke(impl as AnyImpl, [ctx, ...args]) };
}

export function fncv<const Ps extends readonly ParamType[], const V extends ParamType>(
  params: Ps,
  variadic: V,
  impl: (ctx: CallContext, ...args: [...ArgsOf<Ps>, ...TypeOf<V>[]]) => unknown,
): FuncDef {
  return { params, variadic, call: (args, ctx) => invoke(impl as AnyImpl, [ctx, ...args]) };
}

export type FuncTable = ReadonlyMap<string, FuncDef>;

/** Go type name of a parameter, for error messages. */
export function paramTypeName(t: ParamType): string {
  switch (t) {
    case 'any':
      return 'interface {}';
    case 'value':
      return 'reflect.Value';
    case 'float':
      return 'float64';
    case 'map':
      return 'map[string]interface {}';
    default:
      return t;
  }
}
