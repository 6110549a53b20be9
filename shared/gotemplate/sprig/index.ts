/** The sprig function map plus the helpers Helm and werf add (include, tpl, required, toYaml...). */
import { fnc, type FuncDef } from '../funcs';
import { COLLECTION_FUNCS } from './collections';
import { MATH_FUNCS } from './math';
import { MISC_FUNCS } from './misc';
import { STRING_FUNCS } from './strings';

const TEMPLATE_FUNCS: [string, FuncDef][] = [
  ['include', fnc(['string', 'any'], (ctx, name, data) => ctx.include(name, data))],
  ['tpl', fnc(['string', 'any'], (ctx, text, data) => ctx.tpl(text, data))],
];

export const SPRIG_FUNCS: ReadonlyMap<string, FuncDef> = new Map<string, FuncDef>([
  ...STRING_FUNCS,
  ...COLLECTION_FUNCS,
  ...MATH_FUNCS,
  ...MISC_FUNCS,
  ...TEMPLATE_FUNCS,
]);
