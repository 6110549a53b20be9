import { describe, expect, it } from 'vitest';
import { fastParse } from './fast-yaml';
import { readWithYamlLib } from './lib-yaml';
import type { LNode } from './lnode';
import { splitLines } from './split';

/**
 * The fast reader may decline any document, but when it answers, its tree (values, texts and
 * positions) must be exactly what the `yaml` library path produces.
 */

function fast(text: string): LNode | null {
  const src = splitLines(text);
  return fastParse(src.lines, 0, src.lines.length);
}

function lib(text: string): LNode | null {
  const r = readWithYamlLib(text, 1);
  return r.ok ? r.root : null;
}

function expectSame(text: string): 'fast' | 'declined' {
  const f = fast(text);
  if (f === null) return 'declined';
  const l = lib(text);
  if (l === null) throw new Error(`fast reader accepted YAML the library rejects:\n${text}`);
  expect(f, text).toEqual(l);
  return 'fast';
}

/** Documents the fast reader must handle itself (they are what werf.yaml files are made of). */
const COMMON: string[] = [
  'configVersion: 1\nproject: demo\n',
  'image: backend\ndockerfile: Dockerfile\ntarget: backend\n',
  'image: [a, b, "c"]\nfrom: alpine:3.20\n',
  'image: ~\nfrom: alpine\n',
  'image:\nfrom: alpine\n',
  'image: ""\nfrom: alpine\n',
  "image: 'it''s'\nfrom: \"a\\tb\\u00e9\\x41\"\n",
  'a: 1\nb: -2\nc: 0777\nd: 0x1F\ne: 1.5\nf: .inf\ng: yes\nh: off\ni: null\nj: ~\nk: 2001-12-14\nl: 22:22\nm: +3\n',
  'args:\n  VERSION: "1.0"\n  RETRIES: 3\n  DEBUG: true\n',
  '# leading comment\n\nimage: x # trailing\n# between\nfrom: y\n',
  'git:\n- add: /src\n  to: /app\n  includePaths:\n  - "**/*.go"\n  stageDependencies:\n    install: ["package.json", yarn.lock]\n    setup: "*.env"\n',
  'git:\n  - add: /\n    to: /app\n  - url: https://github.com/werf/werf.git\n    branch: main\n',
  'shell:\n  install:\n  - npm ci\n  - echo "a: b"\n  setup: |\n    set -e\n    npm run build\n\n    echo done\n',
  'shell:\n  beforeInstall: >\n    apt-get update &&\n    apt-get install -y curl\n\n    echo next\n',
  'x: |-\n  keep\n  no newline\ny: >-\n  folded\n  text\n',
  'x: |\n\n  leading blank\n',
  'x: |\n  # not a comment\n  text\n',
  'x: |\ny: 1\n',
  'x: >\n\n\ny: 1\n',
  'mount:\n- from: tmp_dir\n  to: /tmp\n- fromPath: ~/.npm\n  to: /root/.npm\n',
  'docker:\n  CMD: ["node", "server.js"]\n  ENV: {A: b, "C": d}\n  EXPOSE: []\n  LABEL: {}\n',
  'a:\n- - x\n  - y\n- -   z\n',
  'seq:\n- \n-\n- k: v\n  m:\n- "q"\n',
  'deep:\n  a:\n    b:\n      c:\n        d: 1\n  e: 2\n',
  '  indented: 1\n  doc: 2\n',
  'k: v\r\nw: |\r\n  line\r\n',
  '"quoted key": 1\n\'single\': 2\nkey with spaces: 3\nkey  : 4\n',
  'a: b#c\nd: e #f\ng: "h" #i\nj: [k, l] # m\n',
  'url: http://example.com:8080/path?x=1#frag\n',
  'cmd: echo [a] {b}, c\n',
  'list:\n- a\n# comment at column 0\n- b\n  # deeper comment\n- c\n',
  'empty_map: {}\nempty_list: []\nspaced: [ a ,  b ]\n',
  'unicode: "\\u263A é ☺"\nplain: é☺\n',
  'n1: -1\nn2: -.5\nn3: 1e3\nn4: 1_000\nn5: 0b101\n',
];

/** Legal YAML the fast reader leaves to the library (the library path must still work). */
const UNUSUAL: string[] = [
  'base: &b\n  x: 1\nimg:\n  <<: *b\n  y: 2\n',
  'a: !!str 123\n',
  'a: multi\n  line plain\n',
  'a: "multi\n  line quoted"\n',
  'a:\tb\n',
  'a: [1,\n  2]\n',
  'a: {x: [1, 2]}\n',
  '? complex\n: value\n',
  'a: |+\n  keep\n\n',
  'a: |2\n    indented\n',
  'a: &x 1\nb: *x\n',
  'a:\n  value on next line\n',
  '%YAML 1.1\n---\na: 1\n',
];

describe('fast YAML reader vs the yaml library', () => {
  it.each(COMMON.map((t) => [t]))('reads %j itself, identically', (text) => {
    expect(expectSame(text)).toBe('fast');
  });

  it.each(UNUSUAL.map((t) => [t]))('declines %j or agrees', (text) => {
    expectSame(text);
  });

  it('declines what the library rejects', () => {
    const bad = ['a: b: c\n', 'a: 1\n b: 2\n', 'a: [1, 2\n', 'a: "x\n', 'a: 1\na: 2\n', 'a:\n  - 1\n - 2\n', "a: 'x' y\n", '- a\nb: 1\n'];
    for (const text of bad) {
      expect(fast(text), text).toBeNull();
      expect(lib(text), text).toBeNull();
    }
  });

  it('agrees on thousands of mutated documents (seeded fuzz)', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = [':', ' ', '-', '#', '"', "'", '|', '>', '[', ']', '{', '}', ',', '\n', '  ', 'a', '1', '&', '*', '!', '~', '\t', '?', '\\', 'é'];
    let fastCount = 0;
    let total = 0;
    for (const baseText of COMMON) {
      for (let round = 0; round < 120; round++) {
        let t = baseText;
        const edits = 1 + rand(3);
        for (let e = 0; e < edits; e++) {
          const at = rand(t.length + 1);
          const op = rand(3);
          if (op === 0) t = t.slice(0, at) + alphabet[rand(alphabet.length)] + t.slice(at);
          else if (op === 1) t = t.slice(0, at) + t.slice(at + 1 + rand(3));
          else t = t.slice(0, at) + alphabet[rand(alphabet.length)] + t.slice(at + 1);
        }
        total++;
        if (expectSame(t) === 'fast') fastCount++;
      }
    }
    // Most mutations still leave readable YAML for the fast path, so the comparison has teeth.
    expect(fastCount).toBeGreaterThan(total / 4);
  });
});
