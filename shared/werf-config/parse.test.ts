import { describe, expect, it } from 'vitest';
import { parseWerfConfig, splitWerfDocuments, WERF_CONFIG_PROBLEM_CODES } from './index';
import { META, parse, where, withMeta, yaml } from './test-helpers';

describe('seed example: two images from one Dockerfile with two targets', () => {
  const text = yaml(
    'project: shop', //                       1
    'configVersion: 1', //                    2
    '---', //                                 3
    'image: backend', //                      4
    'dockerfile: Dockerfile', //              5
    'target: backend', //                     6
    '---', //                                 7
    'image: frontend', //                     8
    'dockerfile: Dockerfile', //              9
    'target: frontend', //                    10
  );
  const { config, problems } = parseWerfConfig(text, { file: 'werf.yaml' });

  it('has no problems', () => {
    expect(problems).toEqual([]);
  });

  it('reads the meta section', () => {
    expect(config.meta).toMatchObject({
      project: 'shop',
      configVersion: 1,
      document: 0,
      source: { file: 'werf.yaml', line: 2, column: 1 },
    });
    expect(config.meta?.fields).toEqual({
      project: { file: 'werf.yaml', line: 1, column: 1 },
      configVersion: { file: 'werf.yaml', line: 2, column: 1 },
    });
  });

  it('reads both images with the same Dockerfile and their targets', () => {
    expect(config.images).toHaveLength(2);
    const [backend, frontend] = config.images;
    expect(backend).toMatchObject({
      name: 'backend',
      kind: 'dockerfile',
      document: 1,
      dockerfile: 'Dockerfile',
      dockerfilePath: 'Dockerfile',
      dockerfileRelativeTo: 'context',
      target: 'backend',
      final: true,
      dependsOn: [],
      source: { file: 'werf.yaml', line: 4, column: 1 },
      nameSource: { file: 'werf.yaml', line: 4, column: 8 },
    });
    expect(frontend).toMatchObject({ name: 'frontend', document: 2, target: 'frontend', dockerfilePath: 'Dockerfile' });
    expect(frontend.fields).toEqual({
      image: { file: 'werf.yaml', line: 8, column: 1 },
      dockerfile: { file: 'werf.yaml', line: 9, column: 1 },
      target: { file: 'werf.yaml', line: 10, column: 1 },
    });
    expect(frontend.raw).toEqual({ image: 'frontend', dockerfile: 'Dockerfile', target: 'frontend' });
  });

  it('lists the documents with their lines and kinds', () => {
    expect(config.documents).toEqual([
      { index: 0, startLine: 1, endLine: 2, kind: 'meta' },
      { index: 1, startLine: 4, endLine: 6, kind: 'dockerfile' },
      { index: 2, startLine: 8, endLine: 10, kind: 'dockerfile' },
    ]);
  });
});

describe('document splitting (werf splits by lines, not by YAML)', () => {
  it('splits at `---`, `---   ` and `--- # comment`, and drops comment-only documents', () => {
    const text = yaml(
      '# header comment', //   1
      '---', //                2
      'configVersion: 1', //   3
      'project: a', //         4
      '---   ', //             5
      '# only a comment', //   6
      '', //                   7
      '--- # next image', //   8
      'image: x', //           9
      'from: alpine', //       10
    );
    expect(splitWerfDocuments(text)).toEqual([
      { text: 'configVersion: 1\nproject: a\n', startLine: 3 },
      { text: 'image: x\nfrom: alpine\n', startLine: 9 },
    ]);
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.images[0]).toMatchObject({ name: 'x', document: 1, source: { line: 9, column: 1 } });
  });

  it('does not split at `---text` or `--- text`', () => {
    expect(splitWerfDocuments('a: 1\n---x: 2\n')).toHaveLength(1);
    expect(splitWerfDocuments('a: 1\n--- b: 2\n')).toHaveLength(1);
  });

  it('handles CRLF line endings', () => {
    const text = 'configVersion: 1\r\nproject: a\r\n---\r\nimage: x\r\nfrom: alpine\r\n';
    expect(splitWerfDocuments(text).map((d) => d.startLine)).toEqual([1, 4]);
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.images[0]).toMatchObject({ name: 'x', from: 'alpine' });
  });

  it('ignores a UTF-8 byte order mark', () => {
    const { config, problems } = parse(`\ufeff${META}`);
    expect(problems).toEqual([]);
    expect(config.meta?.project).toBe('demo');
  });

  it('reports line numbers of the whole file inside later documents', () => {
    const text = withMeta('image: a', 'from: alpine', 'bogus: 1');
    expect(where(text)).toEqual([['unknown-fields', 6, 1]]);
  });
});

describe('document classification', () => {
  it('classifies by keys and rejects sections it cannot recognize', () => {
    const text = withMeta(
      'image: a', //          4
      'from: alpine', //      5
      '---', //               6
      'artifact: b', //       7
      'from: alpine', //      8
      '---', //               9
      'name: c', //           10
      'from: alpine', //      11
    );
    const { config, problems } = parse(text);
    expect(config.documents.map((d) => d.kind)).toEqual(['meta', 'stapel', 'artifact', 'unknown']);
    expect(problems.map((p) => [p.code, p.location?.line, p.location?.column])).toEqual([['unknown-doc-type', 10, 1]]);
    expect(problems[0].message).toContain('cannot recognize type of config section');
  });

  it('rejects a document that is not a map', () => {
    expect(where(withMeta('- a', '- b'))).toEqual([['doc-not-map', 4, 1]]);
    expect(where(withMeta('just text'))).toEqual([['doc-not-map', 4, 1]]);
  });
});

describe('raw and JSON safety', () => {
  it('keeps timestamps, base-60 numbers and infinities as text, and resolves YAML 1.1 scalars like go-yaml', () => {
    const text = withMeta('image: a', 'from: alpine', 'docker:', '  LABEL:', '    A: 2001-12-14', '    B: 22:22', '    C: .inf', '    D: yes', '    E: 0777');
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    // raw shows the decoded YAML; the typed LABEL map holds the strings werf uses
    expect(config.images[0].raw).toEqual({
      image: 'a',
      from: 'alpine',
      docker: { LABEL: { A: '2001-12-14', B: '22:22', C: '.inf', D: true, E: 511 } },
    });
    expect(config.images[0].docker?.LABEL).toEqual({ A: '2001-12-14', B: '22:22', C: '.inf', D: 'yes', E: '0777' });
    expect(JSON.parse(JSON.stringify(config.images[0].raw))).toEqual(config.images[0].raw);
  });

  it('gives the same model when the document needs the full YAML reader (anchors and merge keys)', () => {
    const text = withMeta(
      'image: a', //                        4
      'from: alpine', //                    5
      'docker:', //                         6
      '  ENV: &env', //                     7
      '    A: "1"', //                      8
      '  LABEL:', //                        9
      '    <<: *env', //                    10
      '    B: "2"', //                      11
    );
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.images[0].docker).toMatchObject({ ENV: { A: '1' }, LABEL: { A: '1', B: '2' } });
    expect(config.images[0].fields.docker).toEqual({ file: 'werf.yaml', line: 6, column: 1 });
  });
});

describe('problem codes', () => {
  it('every emitted code is in the published list', () => {
    const texts = [
      '',
      withMeta('image: a'),
      withMeta('image: a', 'from: b', 'x: 1'),
      'project: Bad_Name\nconfigVersion: 3\n',
    ];
    for (const t of texts) {
      for (const p of parse(t).problems) expect(WERF_CONFIG_PROBLEM_CODES).toContain(p.code);
    }
  });

  it('every problem has a message, a hint and a 1-based location in the given file', () => {
    const { problems } = parseWerfConfig(withMeta('image: a', 'fromImage: a', 'mount:', '- to: tmp'), { file: 'sub/werf.yml' });
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) {
      expect(p.message.length).toBeGreaterThan(0);
      expect(p.hint?.length).toBeGreaterThan(0);
      expect(p.location?.file).toBe('sub/werf.yml');
      expect(p.location?.line).toBeGreaterThanOrEqual(1);
      expect(p.location?.column).toBeGreaterThanOrEqual(1);
      expect(p.image).toBe('a');
    }
  });
});
