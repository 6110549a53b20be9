import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEP_IMAGES_BUILT_WITHIN_LAST_N_HOURS, suggestProjectName } from './index';
import { parse, problem, where, yaml } from './test-helpers';

const IMAGE = '---\nimage: a\nfrom: alpine\n';

describe('configVersion', () => {
  it('reads a float as werf does: yaml.v2 truncates it into the int field, so 1.0 and 1.9 are 1', () => {
    for (const v of ['1.0', '1.9', '1e0']) {
      const out = parse(yaml(`configVersion: ${v}`, 'project: demo'));
      expect(out.problems.filter((p) => p.severity === 'error'), v).toEqual([]);
      expect(out.config?.meta?.configVersion, v).toBe(1);
    }
    expect(where(yaml('configVersion: 2.0', 'project: demo'))).toEqual([['meta-config-version', 1, 16]]);
    expect(where(yaml('configVersion: 0.9', 'project: demo'))).toEqual([['meta-config-version', 1, 16]]);
  });
  it('requires configVersion 1 ("\'configVersion: 1\' field required!")', () => {
    const text = yaml('configVersion: 3', 'project: demo');
    expect(where(text)).toEqual([['meta-config-version', 1, 16]]);
    expect(problem(text, 'meta-config-version').message).toBe("'configVersion: 1' field required!");
  });

  it('rejects a quoted version and says to drop the quotes', () => {
    const p = problem(yaml('configVersion: "1"', 'project: demo'), 'meta-config-version');
    expect(p.location).toEqual({ file: 'werf.yaml', line: 1, column: 16 });
    expect(p.hint).toContain('without quotes');
  });

  it('points at the key when the value is empty', () => {
    expect(where(yaml('project: demo', 'configVersion:'))).toEqual([['meta-config-version', 2, 1]]);
  });

  it('rejects 2 under every werf release: v2 projects write 1 too', () => {
    expect(where(yaml('configVersion: 2', 'project: demo'))).toEqual([['meta-config-version', 1, 16]]);
    expect(where(yaml('configVersion: 2', 'project: demo'), { werfVersion: '2' })).toEqual([['meta-config-version', 1, 16]]);
  });

  it('rejects 2 under werf v1.1 rules', () => {
    expect(where(yaml('configVersion: 2', 'project: demo'), { configVersionHint: 1 })).toEqual([['meta-config-version', 1, 16]]);
  });

  it('chooses the dialect from the hint first', () => {
    expect(parse(yaml('configVersion: 1', 'project: demo')).config).toMatchObject({ dialect: 'v2', werfVersion: '2.47' });
    expect(parse(yaml('configVersion: 1', 'project: demo'), { werfVersion: '1.2' }).config).toMatchObject({ dialect: 'v2', werfVersion: '1.2' });
    expect(parse(yaml('configVersion: 1', 'project: demo'), { configVersionHint: 1 }).config.dialect).toBe('v1.1');
    expect(parse(yaml('configVersion: 1', 'project: demo'), { configVersionHint: 2 }).config.dialect).toBe('v2');
  });
});

describe('meta sections', () => {
  it('reports a second meta section ("duplicate meta config section definition")', () => {
    const text = yaml('configVersion: 1', 'project: demo', '---', 'project: other', 'configVersion: 1');
    expect(where(text)).toEqual([['meta-duplicate', 5, 1]]);
    expect(problem(text, 'meta-duplicate').message).toBe('duplicate meta config section definition');
    expect(parse(text).config.meta?.project).toBe('demo');
  });

  it('reports a missing meta section and suggests a project name from the folder', () => {
    const text = yaml('image: a', 'from: alpine');
    const p = problem(text, 'meta-missing', { projectDirName: 'My Shop_API' });
    expect(p.location).toEqual({ file: 'werf.yaml', line: 1, column: 1 });
    expect(p.hint).toContain('configVersion: 1\nproject: my-shop-api');
    expect(parse(text).config.meta).toBeNull();
  });

  it('does not claim the meta section is missing when a broken document may hold it', () => {
    const text = yaml('configVersion: 1', 'project: [demo', '---', 'image: a', 'from: alpine');
    expect(where(text).map((w) => w[0])).toEqual(['yaml-syntax']);
  });

  it('rejects unknown meta keys at the first of them, naming all', () => {
    const text = yaml('configVersion: 1', 'project: demo', 'deplyo: {}', 'foo: 1');
    expect(where(text)).toEqual([['unknown-fields', 3, 1]]);
    const p = problem(text, 'unknown-fields');
    expect(p.message).toBe('unknown fields: `deplyo`, `foo`!');
    expect(p.hint).toBe('Did you mean `deploy`?');
  });

  it('explains image keys put in the meta section', () => {
    expect(problem(yaml('configVersion: 1', 'project: demo', 'image: x'), 'unknown-fields').hint).toContain('own document');
  });

  it('explains v2-only meta keys under werf v1.1 rules', () => {
    const text = yaml('configVersion: 1', 'project: demo', 'build:', '  platform: [linux/amd64]');
    expect(where(text, { configVersionHint: 1 })).toEqual([['unknown-fields', 3, 1]]);
    expect(problem(text, 'unknown-fields', { configVersionHint: 1 }).hint).toContain('werf v1.2');
    expect(where(text)).toEqual([]);
  });
});

describe('project', () => {
  it('is required', () => {
    expect(where(yaml('configVersion: 1'))).toEqual([['project-required', 1, 1]]);
    expect(where(yaml('configVersion: 1', 'project: ""'))).toEqual([['project-required', 2, 10]]);
  });

  it.each([
    ['Demo', 'my-demo'],
    ['-demo', 'demo'],
    ['demo-', 'demo'],
    ['de_mo', 'de-mo'],
    ['a'.repeat(51), 'a'.repeat(50)],
  ])('rejects %j', (name) => {
    const text = yaml('configVersion: 1', `project: ${name}`);
    expect(where(text)).toEqual([['project-invalid', 2, 10]]);
    expect(problem(text, 'project-invalid').message).toContain(`bad project name "${name}"`);
  });

  it.each(['a', 'demo', 'my-app-2', 'a'.repeat(50), '0'])('accepts %j', (name) => {
    expect(where(yaml('configVersion: 1', `project: ${name}`))).toEqual([]);
  });

  it('suggests valid names', () => {
    expect(suggestProjectName('My_Project!')).toBe('my-project');
    expect(suggestProjectName('___')).toBe('my-project');
    expect(suggestProjectName(undefined)).toBe('my-project');
  });
});

describe('deploy', () => {
  it('reads helmRelease, helmReleaseSlug, namespace, namespaceSlug and helmChartDir', () => {
    const text = yaml(
      'configVersion: 1',
      'project: demo',
      'deploy:',
      '  helmChartDir: .helm',
      '  helmRelease: "[[ project ]]-[[ env ]]"',
      '  helmReleaseSlug: false',
      '  namespace: "[[ project ]]"',
      '  namespaceSlug: yes',
    );
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.meta?.deploy).toEqual({
      helmChartDir: '.helm',
      helmRelease: '[[ project ]]-[[ env ]]',
      helmReleaseSlug: false,
      namespace: '[[ project ]]',
      namespaceSlug: true,
      source: { file: 'werf.yaml', line: 3, column: 1 },
    });
  });

  it('rejects empty values, wrong types and unknown keys', () => {
    const text = yaml('configVersion: 1', 'project: demo', 'deploy:', '  helmRelease: ""', '  namespaceSlug: maybe', '  release: x');
    expect(where(text)).toEqual([
      ['deploy-empty-field', 4, 3],
      ['wrong-type', 5, 18],
      ['unknown-fields', 6, 3],
    ]);
  });

  it('needs a map', () => {
    expect(where(yaml('configVersion: 1', 'project: demo', 'deploy: prod'))).toEqual([['wrong-type', 3, 9]]);
  });
});

describe('cleanup.keepPolicies', () => {
  const meta = (...lines: string[]): string => yaml('configVersion: 1', 'project: demo', 'cleanup:', '  keepPolicies:', ...lines);

  it('reads literal and /regex/ references, limits and imagesPerReference', () => {
    const text = meta(
      '  - references:', //                   5
      '      tag: /v.*/', //                    6
      '      limit:', //                         7
      '        last: 10', //                     8
      '  - references:', //                     9
      '      branch: main', //                  10
      '      limit:', //                         11
      '        last: -1', //                     12
      '        in: 168h', //                     13
      '    imagesPerReference:', //              14
      '      last: 2', //                        15
      '      in: 1h30m', //                      16
      '      operator: Or', //                   17
    );
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.meta?.cleanup?.keepPolicies).toEqual([
      { references: { tag: { regex: 'v.*' }, limit: { last: 10 } }, source: { file: 'werf.yaml', line: 5, column: 5 } },
      {
        references: { branch: 'main', limit: { last: -1, in: '168h', inMs: 168 * 3600_000, operator: 'And' } },
        imagesPerReference: { last: 2, in: '1h30m', inMs: 5400_000, operator: 'Or' },
        source: { file: 'werf.yaml', line: 9, column: 5 },
      },
    ]);
  });

  it('requires references ("cleanup keep policy must have references section!")', () => {
    const text = meta('  - imagesPerReference:', '      last: 1');
    expect(where(text)).toEqual([['keep-policy-references-missing', 5, 5]]);
    expect(problem(text, 'keep-policy-references-missing').message).toBe('cleanup keep policy must have references section!');
  });

  it('requires one of branch or tag', () => {
    const text = meta('  - references:', '      limit:', '        last: 1');
    expect(where(text)).toEqual([['keep-policy-reference-required', 6, 7]]);
  });

  it('rejects both branch and tag, at the later key', () => {
    expect(where(meta('  - references:', '      branch: main', '      tag: /v.*/'))).toEqual([['keep-policy-reference-conflict', 7, 7]]);
  });

  it('rejects a bad regex', () => {
    const text = meta('  - references:', '      branch: /feature-(/');
    expect(where(text)).toEqual([['keep-policy-bad-regex', 6, 15]]);
    expect(problem(text, 'keep-policy-bad-regex').message).toBe('invalid value "/feature-(/" for `branch: string|REGEX`!');
  });

  it('rejects regex features Go does not have (lookahead)', () => {
    expect(where(meta('  - references:', '      branch: /(?!main).*/'))).toEqual([['keep-policy-bad-regex', 6, 15]]);
  });

  it('rejects a bad operator and suggests the right case', () => {
    const text = meta('  - references:', '      branch: main', '      limit:', '        operator: and');
    expect(where(text)).toEqual([['keep-policy-bad-operator', 8, 19]]);
    const p = problem(text, 'keep-policy-bad-operator');
    expect(p.message).toBe('unsupported value "and" for `operator: Or|And`!');
    expect(p.hint).toContain('`operator: And`');
  });

  it('rejects a bad duration', () => {
    const text = meta('  - references:', '      branch: main', '    imagesPerReference:', '      in: 7d');
    expect(where(text)).toEqual([['keep-policy-bad-duration', 8, 11]]);
    expect(problem(text, 'keep-policy-bad-duration').hint).toContain('no `d`');
  });

  it('warns that a bare number is nanoseconds', () => {
    const text = meta('  - references:', '      branch: main', '      limit:', '        in: 168');
    const p = problem(text, 'keep-policy-duration-number');
    expect(p.severity).toBe('warning');
    expect(p.location).toEqual({ file: 'werf.yaml', line: 8, column: 13 });
    expect(parse(text).config.meta?.cleanup?.keepPolicies[0].references.limit).toEqual({ in: '168ns', inMs: 0.000168 });
  });

  it.each(['-2', '1.5', '"3"', 'ten'])('rejects last: %s', (value) => {
    expect(where(meta('  - references:', '      branch: main', '      limit:', `        last: ${value}`))).toEqual([['keep-policy-bad-last', 8, 15]]);
  });

  it('rejects unknown keys inside policies, references and limits', () => {
    const text = meta('  - references:', '      branch: main', '      limits: {}', '    extra: 1');
    expect(where(text)).toEqual([
      ['unknown-fields', 7, 7],
      ['unknown-fields', 8, 5],
    ]);
  });

  it('rejects a policy that is not a map', () => {
    expect(where(meta('  - main'))).toEqual([['wrong-type', 5, 5]]);
  });
});

describe('cleanup v2 keys', () => {
  const text = yaml(
    'configVersion: 1',
    'project: demo',
    'cleanup:',
    '  disable: false',
    '  disableKubernetesBasedPolicy: true',
    '  disableGitHistoryBasedPolicy: false',
    '  disableBuiltWithinLastNHoursPolicy: true',
    '  keepImagesBuiltWithinLastNHours: 24',
  );

  it('reads them', () => {
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.meta?.cleanup).toEqual({
      keepPolicies: [],
      disable: false,
      disableKubernetesBasedPolicy: true,
      disableGitHistoryBasedPolicy: false,
      disableBuiltWithinLastNHoursPolicy: true,
      keepImagesBuiltWithinLastNHours: 24,
      source: { file: 'werf.yaml', line: 3, column: 1 },
    });
    expect(DEFAULT_KEEP_IMAGES_BUILT_WITHIN_LAST_N_HOURS).toBe(2);
  });

  it('rejects them under werf v1.1 rules', () => {
    expect(where(text, { configVersionHint: 1 })).toEqual([['unknown-fields', 4, 3]]);
  });

  it('rejects negative hours and non-boolean switches', () => {
    const bad = yaml('configVersion: 1', 'project: demo', 'cleanup:', '  disable: "yes"', '  keepImagesBuiltWithinLastNHours: -1');
    expect(where(bad)).toEqual([
      ['wrong-type', 4, 12],
      ['negative-hours', 5, 36],
    ]);
  });
});

describe('build and gitWorktree', () => {
  it('reads build (platform, imageSpec, cacheVersion, staged) and gitWorktree', () => {
    const text = yaml(
      'configVersion: 1',
      'project: demo',
      'build:',
      '  platform: [linux/amd64, linux/arm64]',
      '  cacheVersion: 2',
      '  staged: true',
      '  imageSpec:',
      '    author: me',
      '    clearHistory: true',
      '    config:',
      '      removeLabels: ["/^io\\\\.k8s/"]',
      '      labels: {team: core}',
      'gitWorktree:',
      '  forceShallowClone: true',
      '  allowUnshallow: false',
      '  allowFetchOriginBranchesAndTags: false',
    );
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.meta?.build).toEqual({
      platform: ['linux/amd64', 'linux/arm64'],
      cacheVersion: '2',
      staged: true,
      imageSpec: { author: 'me', clearHistory: true, config: { removeLabels: ['/^io\\.k8s/'], labels: { team: 'core' } } },
    });
    expect(config.meta?.gitWorktree).toEqual({ forceShallowClone: true, allowUnshallow: false, allowFetchOriginBranchesAndTags: false });
  });

  it('rejects per-image imageSpec settings in the global one, and unknown keys', () => {
    const text = yaml('configVersion: 1', 'project: demo', 'build:', '  imageSpec:', '    config:', '      cmd: [run]', 'gitWorktree:', '  shallow: true');
    expect(where(text)).toEqual([
      ['unknown-fields', 6, 7],
      ['unknown-fields', 8, 3],
    ]);
    expect(problem(text, 'unknown-fields').hint).toContain('per image');
  });
});

describe('meta together with images', () => {
  it('reads images after the meta section', () => {
    const { config, problems } = parse(yaml('configVersion: 1', 'project: demo') + IMAGE);
    expect(problems).toEqual([]);
    expect(config.images.map((i) => i.name)).toEqual(['a']);
  });
});
