/**
 * A fast path for werf's `fromYaml` over the plain block YAML that module configs feed it (image
 * manifests cut out of a rendered config, version and digest maps). It reuses the config's own line
 * reader (shared/werf-config/fast-yaml.ts) and gives up — returning undefined so the caller takes
 * the `yaml` library path — on anything whose Go value it cannot be sure of: a document the line
 * reader does not take, a key that yaml.v2 would not read as a string, a number other than a plain
 * decimal integer (floats, hex, octal, base 60 keep their exact yaml.v2 treatment on the slow path).
 *
 * Why: a deckhouse module renders its images file, splits it and runs `fromYaml` on every image
 * (47 in the corpus's large module); with the `yaml` library that was about half of the render.
 */
import { fastParse } from '../werf-config/fast-yaml';
import type { LNode } from '../werf-config/lnode';
import { resolvePlain } from '../werf-config/scalar';
import { ifaceMapSet, mapSet, newIfaceMap, newMap, type GoMap } from './values';

class GiveUp {}
const GIVE_UP = new GiveUp();

const DECIMAL_INT = /^[-+]?(?:0|[1-9][0-9]*)$/;
/** A plain scalar that YAML 1.1 could read as a base-60 number or a time: left to the full reader. */
const SEXAGESIMAL_LIKE = /^[-+]?[0-9][0-9_]*:/;

function keyOf(key: string): string {
  // `yes:`, `80:`, `~:` are typed keys for yaml.v2; a quoted "80" is not, but the line reader does
  // not say which it was, so both go to the full reader.
  if (typeof resolvePlain(key) !== 'string') throw GIVE_UP;
  return key;
}

function goValue(node: LNode): unknown {
  switch (node.t) {
    case 's': {
      if (!node.plain) return node.v;
      const v = node.v;
      if (typeof v === 'number') {
        if (!DECIMAL_INT.test(node.text) || !Number.isSafeInteger(v)) throw GIVE_UP;
        return v;
      }
      if (typeof v === 'string' && SEXAGESIMAL_LIKE.test(v)) throw GIVE_UP;
      return v;
    }
    case 'q':
      return node.items.map(goValue);
    case 'm': {
      // Below the top level yaml.v2 decodes into map[interface{}]interface{}.
      const m = newIfaceMap();
      for (const e of node.entries) ifaceMapSet(m, keyOf(e.key), goValue(e.value));
      return m;
    }
  }
}

/** The map werf's fromYaml returns, or undefined when only the full reader can say. */
export function fastFromGoYaml(s: string): GoMap | undefined {
  const lines = s.split('\n');
  const root = fastParse(lines, 0, lines.length);
  if (!root) return undefined;
  try {
    const m = newMap();
    for (const e of root.entries) mapSet(m, keyOf(e.key), goValue(e.value));
    return m;
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}
