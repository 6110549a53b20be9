import { Schema } from 'yaml';

/**
 * Plain-scalar resolution for the fast reader. It asks the very tag list the `yaml` library uses for
 * `version: '1.1'`, in the library's own order, so both readers give identical values.
 */

interface TestedTag {
  test: RegExp;
  resolve: (value: string, onError: (message: string) => void, options: { intAsBigInt: boolean }) => unknown;
}

let tagsCache: TestedTag[] | null = null;

function testedTags(): TestedTag[] {
  if (tagsCache) return tagsCache;
  const schema = new Schema({ schema: 'yaml-1.1' });
  const out: TestedTag[] = [];
  for (const tag of schema.tags) {
    // Collection tags and tags that only apply to keys (`<<`) never resolve a plain value.
    if ('collection' in tag && tag.collection) continue;
    if (tag.default !== true || !tag.test) continue;
    const resolve = (tag as { resolve?: unknown }).resolve;
    if (typeof resolve !== 'function') continue;
    out.push({ test: tag.test, resolve: resolve as TestedTag['resolve'] });
  }
  tagsCache = out;
  return out;
}

/** Every 1.1 non-string tag needs one of these first characters (or the empty string for null). */
const MAYBE_TYPED_FIRST = new Set('~nNyYtToOfF+-.0123456789'.split(''));

type PlainValue = string | number | boolean | null;

const cache = new Map<string, PlainValue>();

/** Returns undefined when the library would report a tag error, so the fast reader can step aside. */
export function resolvePlain(text: string): PlainValue | undefined {
  if (text.length > 0 && !MAYBE_TYPED_FIRST.has(text[0])) return text;
  const hit = cache.get(text);
  if (hit !== undefined || cache.has(text)) return hit ?? null;
  let value: PlainValue = text;
  for (const tag of testedTags()) {
    if (!tag.test.test(text)) continue;
    let failed = false;
    const res = tag.resolve(text, () => (failed = true), { intAsBigInt: false });
    if (failed) return undefined;
    value = normalizeResolved(res, text);
    break;
  }
  if (cache.size > 5000) cache.clear();
  cache.set(text, value);
  return value;
}

/**
 * Shared by both readers. Anything that is not a JSON scalar is kept as its source text. Base-60
 * numbers (`22:22`) are YAML 1.1 but go-yaml v2 reads them as strings, so they stay strings here too.
 */
export function normalizeResolved(res: unknown, text: string): PlainValue {
  if (res === null || typeof res === 'string' || typeof res === 'boolean') return res;
  if (typeof res === 'number') return text.includes(':') ? text : res;
  if (typeof res === 'bigint') return Number(res);
  if (res && typeof res === 'object' && 'value' in res) {
    return normalizeResolved((res as { value: unknown }).value, text);
  }
  return text;
}
