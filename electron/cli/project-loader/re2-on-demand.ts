import { fileURLToPath } from 'node:url';
import type * as Re2 from 're2js';
import { loadCachedBundle } from '../compile-cache';

/**
 * shared/go/re2.ts as the CLI's project loader builds it (scripts/build.mjs swaps the module): the
 * regexp engine is its own bundle beside this one (out/cli-chunks/re2js.cjs), compiled with the
 * code cache on the first Go regexp or glob a template uses. Most projects use neither.
 */
let engine: typeof Re2 | undefined;

export function re2(): typeof Re2 {
  if (engine) return engine;
  const bundle = loadCachedBundle<typeof Re2>(fileURLToPath(new URL('./re2js.cjs', import.meta.url)));
  // Its top level is all this run compiles up front; the cache keeps that much.
  bundle.saveCache();
  engine = bundle.exports;
  return engine;
}
