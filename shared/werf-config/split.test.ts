import { describe, expect, it } from 'vitest';
import { fastParse } from './fast-yaml';
import { splitWerfDocuments } from './index';
import { readWithYamlLib } from './lib-yaml';
import { toPlain } from './lnode';
import { firstYamlDocumentEnd, isSeparator, splitLines, yamlDocumentMarker } from './split';
import { parse, where, yaml } from './test-helpers';

/** The fixture e2e/fixtures/corpus/ok/separator-comment-with-dash, which encodes what werf does. */
const DASH_COMMENT = yaml(
  'project: storefront', //         1
  'configVersion: 1', //            2
  '--- # images', //                3
  'image: web', //                  4
  'dockerfile: Dockerfile', //      5
  'target: web', //                 6
  '--- # api-gateway', //           7
  'image: api-gateway', //          8
  'dockerfile: Dockerfile', //      9
  'target: api-gateway', //         10
);

describe("werf's separator rule (splitContent in pkg/config/parser.go)", () => {
  it.each([
    ['---', true],
    ['--- ', true],
    ['---\t ', true],
    ['---\r', true],
    ['--- # comment', true],
    ['---# comment', true],
    ['--- # api gateway, v2', true],
    ['--- # api-gateway', false],
    ['--- #-', false],
    ['----', false],
    ['---x', false],
    ['--- x', false],
    [' ---', false],
    ['--', false],
    ['---\u00a0', false],
  ])('%j is a separator: %s', (line, expected) => {
    expect(isSeparator(line)).toBe(expected);
  });

  it('does not split at `--- # comment-with-dash`', () => {
    expect(splitWerfDocuments(DASH_COMMENT).map((d) => d.startLine)).toEqual([1, 4]);
  });
});

describe('YAML document markers inside a werf piece', () => {
  it('recognizes `---` and `...` followed by a blank or the line end', () => {
    expect(['---', '--- # a-b', '---\tx', '...', '... # x', '---\r'].map(yamlDocumentMarker)).toEqual(['---', '---', '---', '...', '...', '---']);
    expect(['----', '---x', '....', ' ---', 'a: ---'].map(yamlDocumentMarker)).toEqual([null, null, null, null, null]);
  });

  it('finds where the first YAML document ends', () => {
    const end = (text: string): number => {
      const { lines } = splitLines(text);
      return firstYamlDocumentEnd(lines, 0, lines.length);
    };
    expect(end('a: 1\n--- # x-y\nb: 2\n')).toBe(1);
    expect(end('a: 1\n...\nb: 2\n')).toBe(1);
    // A leading `---` (after comments or blank lines) opens the first document explicitly; with no
    // second marker the document runs to the end (the last line is the empty one after `\n`).
    expect(end('# c\n\n--- # x-y\na: 1\n')).toBe(5);
    expect(end('--- # x-y\na: 1\n--- # z-z\nb: 2\n')).toBe(2);
    expect(end('a: 1\n----\n---x: 2\n')).toBe(4);
  });
});

describe('a `---` line werf does not split at', () => {
  it('keeps only the first YAML document of the piece, as yaml.v2 does, and warns at that line', () => {
    const { config, problems } = parse(DASH_COMMENT);
    expect(config.images.map((i) => i.name)).toEqual(['web']);
    expect(config.documents).toEqual([
      { index: 0, startLine: 1, endLine: 2, kind: 'meta' },
      { index: 1, startLine: 4, endLine: 6, kind: 'dockerfile' },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'warning', code: 'separator-ignored', location: { file: 'werf.yaml', line: 7, column: 1 } });
    expect(problems[0].message).toContain('`--- # api-gateway` is not a separator for werf');
    expect(problems[0].message).toContain('ignores everything from here to the next separator (lines 7–10)');
    expect(problems[0].hint).toContain('`--- # api gateway`');
    expect(problems[0].hint).toContain('own line');
  });

  it('warns only up to the next real separator, whose sections werf reads again', () => {
    const text = yaml(
      'configVersion: 1', //       1
      'project: a', //             2
      '---', //                    3
      'image: a', //               4
      'from: alpine', //           5
      '--- # b-c', //              6
      'image: b', //               7
      'from: alpine', //           8
      '---', //                    9
      'image: c', //               10
      'from: alpine', //           11
    );
    const { config } = parse(text);
    expect(config.images.map((i) => i.name)).toEqual(['a', 'c']);
    expect(where(text)).toEqual([['separator-ignored', 6, 1]]);
  });

  it('ignores broken YAML after the marker, which yaml.v2 never reads', () => {
    const text = yaml('configVersion: 1', 'project: a', '---', 'image: a', 'from: alpine', '--- # x-y', 'image: [unclosed', '  bad: indentation');
    expect(where(text)).toEqual([['separator-ignored', 6, 1]]);
  });

  it('also handles `--- text` and `...`', () => {
    const dashes = yaml('configVersion: 1', 'project: a', '---', 'image: a', 'from: alpine', '--- b', 'image: b');
    expect(where(dashes)).toEqual([['separator-ignored', 6, 1]]);
    const dots = yaml('configVersion: 1', 'project: a', '---', 'image: a', 'from: alpine', '...', 'image: b');
    expect(where(dots)).toEqual([['separator-ignored', 6, 1]]);
    expect(parse(dots).config.images.map((i) => i.name)).toEqual(['a']);
  });

  it('says nothing when only comments follow, or when the line opens its piece', () => {
    expect(where(yaml('configVersion: 1', 'project: a', '---', 'image: a', 'from: alpine', '--- # end-of-file', '# bye'))).toEqual([]);
    const leading = yaml('configVersion: 1', 'project: a', '---', '--- # api-gateway', 'image: a', 'from: alpine');
    expect(where(leading)).toEqual([]);
    expect(parse(leading).config.images.map((i) => i.name)).toEqual(['a']);
  });
});

describe('both YAML readers take the first document only', () => {
  const read = (text: string): { fast: unknown; lib: unknown } => {
    const { lines } = splitLines(text);
    const f = fastParse(lines, 0, lines.length);
    const l = readWithYamlLib(text, 1);
    return { fast: f && toPlain(f, { left: 1000 }), lib: l.ok ? toPlain(l.root, { left: 1000 }) : l.failure.message };
  };

  it('stops at a second `---` or at `...`', () => {
    for (const text of ['a: 1\n--- # x-y\nb: 2\n', 'a: 1\n--- b\n', 'a: 1\n...\nb: 2\n', 'a: 1\n--- # x-y\nb: [unclosed\n']) {
      expect(read(text), text).toEqual({ fast: { a: 1 }, lib: { a: 1 } });
    }
  });

  it('reads a leading `---` as the explicit start of the first document', () => {
    // The fast reader leaves explicit document starts to the library.
    expect(read('--- # x-y\na: 1\n--- # z-z\nb: 2\n')).toEqual({ fast: null, lib: { a: 1 } });
  });

  it('keeps positions of the first document', () => {
    const r = readWithYamlLib('a: &x 1\nb: *x\n--- # x-y\nc: 3\n', 10);
    expect(r.ok && r.root.t === 'm' ? r.root.entries.map((e) => [e.key, e.line]) : r).toEqual([
      ['a', 10],
      ['b', 11],
    ]);
  });
});
