import { describe, expect, it } from 'vitest';
import { fastFromGoYaml } from './fast-from-yaml';
import { fromGoYaml, fromGoYamlFull } from './serialize';
import { isIfaceMap } from './values';

/** Texts the fast path must read, each exactly as the `yaml` library path does. */
const TAKEN = [
  'image: dvcr\nfinal: false\nfrom: registry.example.org/base@sha256:0abc\n',
  'image: a\nfinal: true\nimport:\n- image: b\n  add: /out\n  to: /app\n  after: install\n  includePaths:\n  - x\n  - "y z"\n',
  'core:\n  kubevirt: v1.3.1\n  cdi: "1.60"\n  retries: 3\n  negative: -7\nfirmware:\n  qemu: 9.1.2\n',
  "shell:\n  install:\n  - |\n    echo one\n    echo two\n  - >\n    folded\n    text\n  setup: 'single ''quoted'''\n",
  'a: yes\nb: off\nc: ~\nd:\ne: null\nf: TRUE\n',
  '# leading comment\nkey: value # trailing comment\nlist: [a, b, c]\n',
  'REGISTRY_PATH: registry.example.org/base_images\nbuilder/src: sha256:1c5cab2048d3\ntools/jq: "sha256:9f"\n',
  'deep:\n  a:\n    b:\n      c:\n      - d: 1\n        e: [1, 2]\n',
];

/** Texts the fast path must leave to the full reader (returns undefined). */
const DECLINED = [
  'f: 1.0\n', // a float: yaml.v2 keeps float64 even when integral
  'h: 0x1F\n',
  'o: 0777\n',
  't: 1:30\n', // base 60 in YAML 1.1
  'nested:\n  80: http\n', // an int key below the top level
  'yes: 1\n', // a key yaml.v2 reads as a bool
  '~: x\n',
  'a: &anchor 1\nb: *anchor\n',
  '- a\n- b\n', // not a map: the full reader reports it
  'just a string',
  '',
  '---\na: 1\n',
  'a:\tb\n',
  'big: 12345678901234567890\n',
  'dup: 1\ndup: 2\n', // the line reader leaves repeated keys to the library (last one wins there)
];

describe('fromYaml fast path', () => {
  it.each(TAKEN)('reads %j as the yaml library path does', (text) => {
    const fast = fastFromGoYaml(text);
    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(fromGoYamlFull(text));
    expect(fromGoYaml(text)).toStrictEqual(fromGoYamlFull(text));
  });

  it.each(DECLINED)('leaves %j to the full reader', (text) => {
    expect(fastFromGoYaml(text)).toBeUndefined();
  });

  it('keeps the Go map types: string-keyed at the top, interface-keyed below', () => {
    const m = fastFromGoYaml('top:\n  inner: 1\n')!;
    expect(isIfaceMap(m)).toBe(false);
    expect(isIfaceMap(m.top)).toBe(true);
  });

  it('reads only the first document, as yaml.v2 does', () => {
    const text = 'a: 1\n---\nb: 2\n';
    expect(fastFromGoYaml(text)).toStrictEqual(fromGoYamlFull(text));
    expect(fastFromGoYaml(text)).toStrictEqual({ a: 1 });
  });
});
