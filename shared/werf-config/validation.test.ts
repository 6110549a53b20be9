import { describe, expect, it } from 'vitest';
import { parse, problem, where, withMeta } from './test-helpers';

describe('image names across documents', () => {
  it('rejects duplicate names ("conflict between images names!") at the second name', () => {
    const text = withMeta('image: api', 'from: alpine', '---', 'image: [web, api]', 'dockerfile: Dockerfile');
    expect(where(text)).toEqual([['image-name-conflict', 7, 14]]);
    const p = problem(text, 'image-name-conflict');
    expect(p.message).toBe('conflict between images names!');
    expect(p.hint).toContain('werf.yaml:4');
    expect(p.image).toBe('api');
  });

  it('rejects a duplicate inside one list', () => {
    expect(where(withMeta('image: [a, a]', 'from: alpine'))).toEqual([['image-name-conflict', 4, 12]]);
  });

  it('rejects an artifact named like an image, and duplicate artifacts', () => {
    const text = withMeta('image: x', 'from: alpine', '---', 'artifact: x', 'from: alpine', '---', 'artifact: x', 'from: alpine');
    expect(where(text)).toEqual([
      ['image-artifact-name-conflict', 7, 11],
      ['artifact-name-conflict', 10, 11],
    ]);
    expect(problem(text, 'image-artifact-name-conflict').message).toBe('conflict between image and artifact names!');
  });

  it('rejects a nameless image beside other images', () => {
    const text = withMeta('image: ~', 'from: alpine', '---', 'image: b', 'from: alpine');
    expect(where(text)).toEqual([['nameless-image-with-others', 4, 8]]);
    const p = problem(text, 'nameless-image-with-others');
    expect(p.severity).toBe('error');
    expect(p.image).toBeNull();
  });

  it('only warns about werf v1.1 accepting one nameless Stapel image beside one Dockerfile image', () => {
    const text = withMeta('image: ~', 'from: alpine', '---', 'image: b', 'dockerfile: Dockerfile');
    expect(problem(text, 'nameless-image-with-others', { configVersionHint: 1 }).severity).toBe('warning');
    expect(problem(text, 'nameless-image-with-others').severity).toBe('error');
  });

  it('allows one nameless image on its own', () => {
    expect(where(withMeta('image: ~', 'from: alpine'))).toEqual([]);
  });
});

describe('references between images', () => {
  it('rejects fromImage pointing at the image itself', () => {
    const text = withMeta('image: a', 'fromImage: a');
    expect(where(text)).toEqual([['from-image-self', 5, 12]]);
  });

  it('rejects fromArtifact pointing at the artifact itself', () => {
    expect(where(withMeta('artifact: a', 'fromArtifact: a'))).toEqual([['from-image-self', 5, 15]]);
  });

  it('rejects fromImage pointing at nothing ("no such image"), with a suggestion', () => {
    const text = withMeta('image: base', 'from: alpine', '---', 'image: app', 'fromImage: bsae');
    expect(where(text, { werfVersion: '2' })).toEqual([['no-such-image', 8, 12]]);
    const p = problem(text, 'no-such-image', { werfVersion: '2' });
    expect(p.message).toBe('no such image `bsae`!');
    expect(p.hint).toBe('Did you mean `base`?');
  });

  it('tells fromImage and fromArtifact apart', () => {
    const text = withMeta('artifact: tools', 'from: alpine', '---', 'image: app', 'fromImage: tools', '---', 'image: other', 'fromArtifact: app');
    const { problems } = parse(text);
    expect(problems.map((p) => [p.code, p.location?.line, p.location?.column])).toEqual([
      ['no-such-image', 8, 12],
      ['no-such-artifact', 11, 15],
    ]);
    expect(problems[0].hint).toContain('fromArtifact: tools');
    expect(problems[1].hint).toContain('fromImage: app');
  });

  it('rejects imports of missing images and artifacts', () => {
    const text = withMeta(
      'image: app', //                  4
      'from: alpine', //                5
      'import:', //                     6
      '- image: builder', //            7
      '  add: /out',
      '  after: install',
      '- artifact: assets', //          10
      '  add: /dist',
      '  after: install',
    );
    expect(where(text)).toEqual([
      ['no-such-image', 7, 10],
      ['no-such-artifact', 10, 13],
    ]);
  });

  it('rejects a v2 import `from:` naming nothing, unless it has a tag or digest', () => {
    const base = ['image: app', 'from: alpine', 'import:'];
    expect(where(withMeta(...base, '- from: builder', '  add: /x', '  after: install'))).toEqual([['no-such-image', 7, 9]]);
    expect(where(withMeta(...base, '- from: builder@sha256:abc', '  add: /x', '  after: install'))).toEqual([]);
  });

  it('rejects dependencies on itself or on missing images', () => {
    const text = withMeta('image: app', 'from: alpine', 'dependencies:', '- image: app', '  before: setup', '- image: ghost', '  before: setup');
    expect(where(text)).toEqual([
      ['dependency-self', 7, 10],
      ['no-such-image', 9, 10],
    ]);
  });

  it('does not report missing images when a document could not be read', () => {
    const text = withMeta('image: app', 'fromImage: base', '---', 'image: base', 'from: [alpine');
    expect(where(text).map((w) => w[0])).toEqual(['yaml-syntax']);
  });

  it('fills dependsOn from every kind of reference, without duplicates', () => {
    const text = withMeta(
      'image: base',
      'from: alpine',
      '---',
      'artifact: assets',
      'from: node:20',
      '---',
      'image: app',
      'fromImage: base',
      'import:',
      '- artifact: assets',
      '  add: /dist',
      '  after: setup',
      '- image: base',
      '  add: /etc',
      '  after: setup',
      'dependencies:',
      '- image: base',
      '  before: setup',
    );
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.images.find((i) => i.name === 'app')?.dependsOn).toEqual(['base', 'assets']);
  });
});

describe('dependency cycles', () => {
  it('finds a cycle through fromImage', () => {
    const text = withMeta('image: a', 'fromImage: b', '---', 'image: b', 'fromImage: a');
    expect(where(text)).toEqual([['dependency-cycle', 5, 12]]);
    expect(problem(text, 'dependency-cycle').message).toBe('infinite loop detected: a -> b -> a');
  });

  it('finds a cycle through imports, artifacts and dependencies, once', () => {
    const text = withMeta(
      'image: a', //                  4
      'from: alpine',
      'import:',
      '- artifact: t', //             7
      '  add: /x',
      '  after: install',
      '---',
      'artifact: t', //               11
      'fromImage: c',
      '---',
      'image: c', //                  14
      'from: alpine',
      'dependencies:',
      '- image: a', //                17
      '  after: install',
    );
    const { problems } = parse(text);
    expect(problems.map((p) => [p.code, p.location?.line, p.location?.column, p.message])).toEqual([
      ['dependency-cycle', 7, 13, 'infinite loop detected: a -> t -> c -> a'],
    ]);
  });

  it('treats an import from itself as a loop', () => {
    expect(where(withMeta('image: a', 'from: alpine', 'import:', '- image: a', '  add: /x', '  after: setup'))).toEqual([['dependency-cycle', 7, 10]]);
  });

  it('accepts a long chain without a loop', () => {
    const docs: string[] = ['image: i0', 'from: alpine'];
    for (let i = 1; i < 200; i++) docs.push('---', `image: i${i}`, `fromImage: i${i - 1}`);
    const { config, problems } = parse(withMeta(...docs));
    expect(problems).toEqual([]);
    expect(config.images[199].dependsOn).toEqual(['i198']);
  });
});
