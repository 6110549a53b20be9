import { describe, expect, it } from 'vitest';
import { goFloat } from './images';
import { parse, problem, where, withMeta } from './test-helpers';

describe('image names', () => {
  it('reads a list as one image per name with the same body', () => {
    const text = withMeta('image: [api, worker]', 'dockerfile: Dockerfile', 'target: app');
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(config.images.map((i) => [i.name, i.target, i.document, i.source.line, i.nameSource.column])).toEqual([
      ['api', 'app', 1, 4, 9],
      ['worker', 'app', 1, 4, 14],
    ]);
  });

  it.each([
    ['image: ~', 8],
    ['image:', 1],
    ['image: ""', 8],
  ])('reads `%s` as the nameless image', (line, col) => {
    const { config, problems } = parse(withMeta(line, 'from: alpine'));
    expect(problems).toEqual([]);
    expect(config.images[0]).toMatchObject({ name: null, nameSource: { line: 4, column: col } });
  });

  it.each([
    ['image: 123', '123', 8],
    ['image: true', 'true', 8],
    ['image: {a: b}', 'map[a:b]', 8],
  ])('rejects `%s` ("invalid image name `<v>`!")', (line, shown, col) => {
    const text = withMeta(line, 'from: alpine');
    expect(where(text)).toEqual([['invalid-image-name', 4, col]]);
    expect(problem(text, 'invalid-image-name').message).toBe(`invalid image name \`${shown}\`!`);
    expect(parse(text).config.images).toEqual([]);
  });

  it('rejects non-string list items and empty lists', () => {
    expect(where(withMeta('image: [a, 1]', 'from: alpine'))).toEqual([['invalid-image-name', 4, 12]]);
    expect(where(withMeta('image: []', 'from: alpine'))).toEqual([['empty-image-list', 4, 8]]);
  });

  it('builds nothing from a Dockerfile section without a name, as werf does, and says so', () => {
    const { config, problems } = parse(withMeta('dockerfile: Dockerfile'));
    expect(config.images).toEqual([]);
    expect(problems.map((p) => [p.severity, p.code, p.location?.line])).toEqual([['warning', 'image-name-required', 4]]);
  });

  it('rejects a nameless Dockerfile image under werf v2-before-2.47 rules only', () => {
    const text = withMeta('image: ~', 'dockerfile: Dockerfile');
    expect(where(text)).toEqual([]);
    expect(where(text, { werfVersion: '2' })).toEqual([['nameless-dockerfile-image', 4, 8]]);
  });

  it('rejects image and artifact in one section, and an artifact without a name', () => {
    expect(where(withMeta('image: a', 'artifact: b', 'from: alpine'))).toEqual([['image-and-artifact', 5, 1]]);
    expect(where(withMeta('artifact: ""', 'from: alpine'))).toEqual([['artifact-name-required', 4, 1]]);
  });
});

describe('Dockerfile images', () => {
  it('reads every directive', () => {
    const text = withMeta(
      'image: api', //                         4
      'dockerfile: docker/Dockerfile', //      5
      'context: backend', //                   6
      'target: prod', //                       7
      'args:', //                              8
      '  VERSION: 1.2', //                     9
      '  DEBUG: false', //                     10
      'addHost: registry.local:10.0.0.1', //   11
      'network: host', //                      12
      'ssh: default', //                       13
      'final: false', //                       14
      'staged: true', //                       15
      'platform: [linux/amd64]', //            16
      'cacheVersion: 3', //                    17
      'contextAddFiles: [dist, .env]', //      18
      'secrets:', //                           19
      '- env: GITHUB_TOKEN', //                20
      '- src: ~/.npmrc', //                    21
      '- id: api-key', //                      22
      '  value: s3cr3t', //                    23
      'imageSpec:', //                         24
      '  author: me', //                       25
      '  config:', //                          26
      '    user: app', //                      27
      '    env: {A: b}', //                    28
      '    healthcheck:', //                   29
      '      test: [CMD, true]', //            30
      '      startperiod: 10', //              31
    );
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    const img = config.images[0];
    expect(img).toMatchObject({
      name: 'api',
      kind: 'dockerfile',
      dockerfile: 'docker/Dockerfile',
      context: 'backend',
      dockerfileRelativeTo: 'context',
      dockerfilePath: 'backend/docker/Dockerfile',
      target: 'prod',
      args: { VERSION: '1.2', DEBUG: 'false' },
      addHost: ['registry.local:10.0.0.1'],
      network: 'host',
      ssh: 'default',
      final: false,
      staged: true,
      platform: ['linux/amd64'],
      cacheVersion: '3',
      contextAddFiles: ['dist', '.env'],
      imageSpec: { author: 'me', config: { user: 'app', env: { A: 'b' }, healthcheck: { test: ['CMD', 'true'], startPeriod: 10 } } },
    });
    expect(img.secrets).toEqual([
      { kind: 'env', id: 'GITHUB_TOKEN', reference: 'GITHUB_TOKEN', source: { file: 'werf.yaml', line: 20, column: 3 } },
      { kind: 'src', id: '.npmrc', reference: '~/.npmrc', source: { file: 'werf.yaml', line: 21, column: 3 } },
      { kind: 'value', id: 'api-key', source: { file: 'werf.yaml', line: 22, column: 3 } },
    ]);
    expect(JSON.stringify(img.secrets)).not.toContain('s3cr3t');
  });

  it('holds build args as werf passes them and warns when that differs from the text', () => {
    const text = withMeta(
      'image: a', //                 4
      'dockerfile: Dockerfile', //   5
      'args:', //                    6
      '  PYTHON: 3.10', //           7
      '  DEBUG: yes', //             8
      '  MODE: 0777', //             9
      '  BIG: 1234567.0', //         10
      '  EMPTY:', //                 11
      '  SAME: 1.5', //              12
      '  QUOTED: "3.10"', //         13
      '  TEXT: latest', //           14
    );
    const { config, problems } = parse(text);
    expect(config.images[0].args).toEqual({
      PYTHON: '3.1',
      DEBUG: 'true',
      MODE: '511',
      BIG: '1.234567e+06',
      EMPTY: '<nil>',
      SAME: '1.5',
      QUOTED: '3.10',
      TEXT: 'latest',
    });
    expect(problems.map((p) => [p.code, p.severity, p.location?.line, p.location?.column])).toEqual([
      ['arg-value-changed', 'warning', 7, 11],
      ['arg-value-changed', 'warning', 8, 10],
      ['arg-value-changed', 'warning', 9, 9],
      ['arg-value-changed', 'warning', 10, 8],
      ['arg-value-changed', 'warning', 11, 3],
    ]);
    expect(problems[0].message).toBe('werf passes `PYTHON=3.1`, not the `3.10` written here');
    expect(problems[0].hint).toBe('Quote the value to pass it as written: `PYTHON: "3.10"`.');
  });

  it.each([
    [1, '1'],
    [1.5, '1.5'],
    [100000, '100000'],
    [1000000, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5, '-2.5'],
    [1e100, '1e+100'],
    [Infinity, '+Inf'],
    [NaN, 'NaN'],
  ])('formats floats like Go %%v: %d -> %s', (v, s) => {
    expect(goFloat(v)).toBe(s);
  });

  it('resolves the Dockerfile against the project dir under werf v1.1 rules', () => {
    const text = withMeta('image: api', 'dockerfile: docker/Dockerfile', 'context: backend');
    expect(parse(text, { configVersionHint: 1 }).config.images[0]).toMatchObject({
      dockerfileRelativeTo: 'project',
      dockerfilePath: 'docker/Dockerfile',
    });
  });

  it('defaults the Dockerfile name and normalizes paths', () => {
    expect(parse(withMeta('image: a', 'dockerfile: ""', 'context: ./svc/../api/')).config.images[0]).toMatchObject({
      dockerfile: 'Dockerfile',
      dockerfilePath: 'api/Dockerfile',
    });
  });

  it('rejects paths that leave the project', () => {
    expect(where(withMeta('image: a', 'dockerfile: Dockerfile', 'context: ../other'))).toEqual([['path-outside-project', 6, 10]]);
    expect(where(withMeta('image: a', 'dockerfile: ../../Dockerfile', 'context: app'))).toEqual([['path-outside-project', 5, 13]]);
    expect(where(withMeta('image: a', 'dockerfile: /etc/Dockerfile'), { configVersionHint: 1 })).toEqual([['dockerfile-path-absolute', 5, 13]]);
    expect(problem(withMeta('image: a', 'dockerfile: /Dockerfile'), 'dockerfile-path-absolute').message).toBe('`dockerfile: PATH` required and should be relative to context!');
    expect(where(withMeta('image: a', 'context: app', 'dockerfile: ../Dockerfile'))).toEqual([]);
  });

  it('rejects Stapel directives with an explanation', () => {
    const text = withMeta('image: a', 'dockerfile: Dockerfile', 'shell:', '  install: [ls]', 'git: []');
    expect(where(text)).toEqual([['unknown-fields', 6, 1]]);
    const p = problem(text, 'unknown-fields');
    expect(p.message).toBe('unknown fields: `shell`, `git`!');
    expect(p.hint).toContain('Stapel directive');
    expect(p.image).toBe('a');
  });

  it('rejects v2 directives under werf v1.1 rules', () => {
    const text = withMeta('image: a', 'dockerfile: Dockerfile', 'final: false');
    expect(where(text, { configVersionHint: 1 })).toEqual([['unknown-fields', 6, 1]]);
    expect(problem(text, 'unknown-fields', { configVersionHint: 1 }).hint).toContain('werf v1.2');
  });

  it('rejects both contextAddFile and contextAddFiles', () => {
    expect(where(withMeta('image: a', 'dockerfile: D', 'contextAddFile: [a]', 'contextAddFiles: [b]'))).toEqual([['context-add-file-conflict', 7, 1]]);
  });

  it('checks value types', () => {
    const text = withMeta(
      'image: a', //                     4
      'dockerfile: [Dockerfile]', //     5
      'args: VERSION=1', //              6
      'addHost: [1.2.3.4, 5]', //        7
      'final: "no"', //                  8
      'platform: linux/amd64', //        9
    );
    expect(where(text)).toEqual([
      ['wrong-type', 5, 13],
      ['wrong-type', 6, 7],
      ['wrong-type', 7, 20],
      ['wrong-type', 8, 8],
      ['wrong-type', 9, 11],
    ]);
    expect(problem(text, 'wrong-type').message).toBe('`dockerfile`: a string expected, got a list');
  });

  it('checks dependencies of Dockerfile images', () => {
    const text = withMeta(
      'image: base', //                  4
      'dockerfile: Dockerfile', //       5
      '---', //                          6
      'image: app', //                   7
      'dockerfile: Dockerfile', //       8
      'dependencies:', //                9
      '- image: base', //                10
      '  imports:', //                   11
      '  - type: ImageName', //          12
      '    targetBuildArg: BASE', //     13
      '  - type: ImageSize', //          14
      '    targetEnv: X', //             15
      '- before: install', //            16
    );
    expect(where(text)).toEqual([
      ['dependency-import-invalid', 14, 11],
      ['dependency-import-invalid', 15, 5],
      ['dependency-image-required', 16, 3],
    ]);
    const app = parse(text).config.images[1];
    expect(app.dependencies[0]).toMatchObject({ image: 'base', imports: [{ type: 'ImageName', targetBuildArg: 'BASE' }, {}] });
    expect(app.dependsOn).toEqual(['base']);
  });

  it('checks secrets', () => {
    const text = withMeta('image: a', 'dockerfile: D', 'secrets:', '- env: A', '  src: ./a', '- value: x', '- {}', '- id: only');
    expect(where(text)).toEqual([
      ['secret-invalid', 8, 3],
      ['secret-invalid', 9, 3],
      ['secret-invalid', 10, 3],
      ['secret-invalid', 11, 3],
    ]);
  });
});

describe('Stapel images and artifacts', () => {
  it('reads every directive', () => {
    const text = withMeta(
      'image: app', //                                    4
      'from: golang:1.22', //                             5
      'fromCacheVersion: 2', //                           6
      'git:', //                                          7
      '- add: /', //                                      8
      '  to: /src', //                                    9
      '  owner: 1000', //                                 10
      '  includePaths: "*.go"', //                        11
      '  excludePaths: [vendor]', //                      12
      '  stageDependencies:', //                          13
      '    install: go.sum', //                           14
      '    setup: ["**/*.go"]', //                        15
      '- url: https://github.com/werf/werf.git', //       16
      '  tag: v2.0.0', //                                 17
      '  to: /werf', //                                   18
      'shell:', //                                        19
      '  install: go mod download', //                    20
      '  setup:', //                                      21
      '  - go build ./...', //                            22
      '  setupCacheVersion: 1', //                        23
      'mount:', //                                        24
      '- from: build_dir', //                             25
      '  to: /root/.cache/go-build', //                   26
      '- fromPath: /var/cache', //                        27
      '  to: /cache', //                                  28
      'import:', //                                       29
      '- artifact: assets', //                            30
      '  add: /dist', //                                  31
      '  after: setup', //                                32
      'docker:', //                                       33
      '  WORKDIR: /src', //                               34
      '  EXPOSE: "8080"', //                              35
      '  ENV: {MODE: release}', //                        36
      '  CMD: [/usr/local/bin/app, --serve]', //          37
      'final: true', //                                   38
      'disableGitAfterPatch: true', //                    39
      '---', //                                           40
      'artifact: assets', //                              41
      'from: node:20', //                                 42
      'ansible:', //                                      43
      '  install:', //                                    44
      '  - name: build', //                               45
      '    shell: npm ci && npm run build', //            46
    );
    const { config, problems } = parse(text);
    expect(problems).toEqual([]);
    const [app, assets] = config.images;
    expect(app).toMatchObject({
      name: 'app',
      kind: 'stapel',
      from: 'golang:1.22',
      fromCacheVersion: '2',
      final: true,
      disableGitAfterPatch: true,
      dependsOn: ['assets'],
      shell: { beforeInstall: [], install: ['go mod download'], beforeSetup: [], setup: ['go build ./...'], setupCacheVersion: '1' },
      mount: [
        { type: 'build_dir', to: '/root/.cache/go-build' },
        { type: 'custom_dir', fromPath: '/var/cache', to: '/cache' },
      ],
      import: [{ artifact: 'assets', add: '/dist', to: '/dist', after: 'setup', external: false }],
      docker: { WORKDIR: '/src', EXPOSE: ['8080'], ENV: { MODE: 'release' }, CMD: ['/usr/local/bin/app', '--serve'], VOLUME: [], LABEL: {} },
    });
    expect(app.git).toEqual([
      {
        kind: 'local',
        add: '/',
        to: '/src',
        owner: '1000',
        includePaths: ['*.go'],
        excludePaths: ['vendor'],
        stageDependencies: { install: ['go.sum'], beforeSetup: [], setup: ['**/*.go'] },
        source: { file: 'werf.yaml', line: 8, column: 3 },
      },
      {
        kind: 'remote',
        url: 'https://github.com/werf/werf.git',
        tag: 'v2.0.0',
        add: '/',
        to: '/werf',
        includePaths: [],
        excludePaths: [],
        stageDependencies: { install: [], beforeSetup: [], setup: [] },
        source: { file: 'werf.yaml', line: 16, column: 3 },
      },
    ]);
    expect(assets).toMatchObject({ name: 'assets', kind: 'artifact', final: false, document: 2 });
    expect(assets.ansible?.install).toEqual([{ name: 'build', shell: 'npm ci && npm run build' }]);
  });

  it('requires a base ("`from` / `fromImage` / `fromArtifact` required!")', () => {
    const text = withMeta('image: a', 'shell:', '  install: [ls]');
    expect(where(text)).toEqual([['missing-base', 4, 1]]);
    expect(problem(text, 'missing-base').message).toBe('`from: DOCKER_IMAGE`, `fromImage: IMAGE_NAME` or `fromArtifact: ARTIFACT_NAME` required!');
    expect(problem(text, 'missing-base', { configVersionHint: 1 }).message).toContain('fromImageArtifact');
  });

  it('rejects more than one base, at the second (werf before v2.47)', () => {
    const text = withMeta('image: a', 'from: alpine', 'fromImage: b', '---', 'image: b', 'from: alpine');
    expect(where(text, { werfVersion: '2' })).toEqual([['conflicting-base', 6, 1]]);
    expect(problem(text, 'conflicting-base', { werfVersion: '1.2' }).message).toBe('conflict between `from` and `fromImage` directives!');
  });

  it('lets fromImage override from since werf v2.47, and says older werf differs', () => {
    const text = withMeta('image: a', 'from: alpine', 'fromImage: b', '---', 'image: b', 'from: alpine');
    expect(where(text)).toEqual([['werf-version-dependent', 5, 1]]);
    expect(problem(text, 'werf-version-dependent').severity).toBe('warning');
    expect(parse(text).config.images[0]).toMatchObject({ fromImage: 'b', dependsOn: ['b'] });
  });

  it('takes fromImage of an external image as an ordinary base since werf v2.47', () => {
    const text = withMeta('image: a', 'fromImage: alpine:3.20');
    expect(where(text)).toEqual([['werf-version-dependent', 5, 12]]);
    expect(parse(text).config.images[0]).toMatchObject({ fromImage: 'alpine:3.20', dependsOn: [] });
    expect(where(text, { werfVersion: '2' })).toEqual([['no-such-image', 5, 12]]);
  });

  it('makes `from:` naming an image of the config a dependency since werf v2.47', () => {
    const text = withMeta('image: a', 'from: b', '---', 'image: b', 'from: alpine');
    expect(parse(text).config.images[0]).toMatchObject({ from: 'b', dependsOn: ['b'] });
    expect(parse(text, { werfVersion: '2' }).config.images[0]).toMatchObject({ from: 'b', dependsOn: [] });
    // werf turns `from: a` in image a into a:latest, an external image.
    expect(where(withMeta('image: alpine', 'from: alpine'))).toEqual([]);
  });

  it('warns that fromImageArtifact is deprecated, and rejects it under v2 rules', () => {
    const text = withMeta('image: a', 'fromImageArtifact: b', '---', 'artifact: b', 'from: alpine');
    const v11 = { configVersionHint: 1 } as const;
    expect(where(text, v11)).toEqual([['deprecated-directive', 5, 1]]);
    expect(problem(text, 'deprecated-directive', v11).severity).toBe('warning');
    expect(parse(text, v11).config.images[0]).toMatchObject({ fromImageArtifact: 'b', dependsOn: ['b'] });
    expect(where(text)).toEqual([['unknown-fields', 5, 1]]);
    expect(where(text, { configVersionHint: 2 })).toEqual([['unknown-fields', 5, 1]]);
    expect(problem(text, 'unknown-fields', { configVersionHint: 2 }).hint).toContain('fromArtifact');
  });

  it('requires the admission key for fromLatest under werf v1.1 rules', () => {
    const text = withMeta('image: a', 'from: alpine', 'fromLatest: true');
    expect(where(text, { configVersionHint: 1 })).toEqual([['from-latest-not-admitted', 6, 1]]);
    expect(where(`${text}herebyIAdmitThatFromLatestMightBreakReproducibility: true\n`, { configVersionHint: 1 })).toEqual([]);
    expect(where(text)).toEqual([]);
  });

  it('rejects `docker` in an artifact', () => {
    const text = withMeta('artifact: a', 'from: alpine', 'docker:', '  WORKDIR: /app');
    expect(where(text)).toEqual([['docker-in-artifact', 6, 1]]);
    expect(problem(text, 'docker-in-artifact').message).toBe('`docker` section is not supported for artifact!');
  });

  it('rejects final, disableGitAfterPatch and dependencies in an artifact', () => {
    const text = withMeta('artifact: a', 'from: alpine', 'final: false', 'disableGitAfterPatch: true', 'dependencies: [{image: b}]');
    expect(where(text).map((w) => w.slice(0, 2))).toEqual([
      ['artifact-unsupported-directive', 6],
      ['artifact-unsupported-directive', 7],
      ['artifact-unsupported-directive', 8],
    ]);
  });

  it('rejects shell and ansible together', () => {
    expect(where(withMeta('image: a', 'from: alpine', 'shell: {}', 'ansible: {}'))).toEqual([['shell-and-ansible', 7, 1]]);
  });

  it('rejects Dockerfile directives with an explanation', () => {
    const text = withMeta('image: a', 'from: alpine', 'target: x');
    expect(where(text)).toEqual([['unknown-fields', 6, 1]]);
    expect(problem(text, 'unknown-fields').hint).toContain('add `dockerfile:`');
  });

  it('rejects unknown keys at every level', () => {
    const text = withMeta(
      'image: a', //                      4
      'from: alpine', //                  5
      'git:', //                          6
      '- to: /app', //                    7
      '  includePath: src', //            8
      '  stageDependencies:', //          9
      '    instal: x', //                 10
      'shell:', //                        11
      '  instal: ls', //                  12
      'mount:', //                        13
      '- to: /tmp', //                    14
      '  from: tmp_dir', //               15
      '  size: 1', //                     16
      'import:', //                       17
      '- image: a', //                    18
      '  add: /x', //                     19
      '  after: install', //              20
      '  mode: 1', //                     21
      'docker:', //                       22
      '  workdir: /app', //               23
    );
    const unknown = parse(text).problems.filter((p) => p.code === 'unknown-fields');
    expect(unknown.map((p) => [p.location?.line, p.location?.column, p.hint])).toEqual([
      [8, 3, 'Did you mean `includePaths`?'],
      [10, 5, 'Did you mean `install`?'],
      [12, 3, 'Did you mean `install`?'],
      [16, 3, expect.stringContaining('a mount accepts')],
      [21, 3, expect.stringContaining('an import accepts')],
      [23, 3, 'Docker directives are upper case: `WORKDIR`.'],
    ]);
  });

  describe('git', () => {
    it.each(['branch: main', 'tag: v1', 'commit: abc123'])('rejects `%s` on a local repository', (line) => {
      const text = withMeta('image: a', 'from: alpine', 'git:', '- add: /', '  to: /app', `  ${line}`);
      expect(where(text)).toEqual([['git-local-ref', 9, 3]]);
    });

    it('requires an absolute `to` and `add`', () => {
      const text = withMeta('image: a', 'from: alpine', 'git:', '- add: src', '  to: app', '- add: /');
      expect(where(text)).toEqual([
        ['path-not-absolute', 7, 8],
        ['path-not-absolute', 8, 7],
        ['git-to-required', 9, 3],
      ]);
    });

    it('requires the branch admission for remote repositories under werf v1.1 rules', () => {
      const text = withMeta('image: a', 'from: alpine', 'git:', '- url: https://example.com/a/b.git', '  branch: dev', '  to: /b');
      expect(where(text, { configVersionHint: 1 })).toEqual([['git-branch-not-admitted', 8, 3]]);
      expect(where(text)).toEqual([]);
    });
  });

  describe('mount', () => {
    it('rejects a relative or missing `to`', () => {
      const text = withMeta('image: a', 'from: alpine', 'mount:', '- from: tmp_dir', '  to: tmp', '- from: build_dir');
      expect(where(text)).toEqual([
        ['mount-to-not-absolute', 8, 7],
        ['mount-to-not-absolute', 9, 3],
      ]);
      expect(problem(text, 'mount-to-not-absolute').message).toBe('`to: PATH` absolute path required for mount!');
    });

    it('rejects a duplicate `to` ("conflict between mounts!")', () => {
      const text = withMeta('image: a', 'from: alpine', 'mount:', '- from: tmp_dir', '  to: /x', '- from: build_dir', '  to: /x');
      expect(where(text)).toEqual([['mount-duplicate-to', 10, 7]]);
      expect(problem(text, 'mount-duplicate-to').message).toBe('conflict between mounts!');
    });

    it('checks from and fromPath', () => {
      const text = withMeta(
        'image: a',
        'from: alpine',
        'mount:',
        '- from: home_dir', //                   7
        '  to: /a',
        '- from: tmp_dir', //                    9
        '  fromPath: /tmp',
        '  to: /b',
        '- fromPath: cache', //                  12
        '  to: /c',
      );
      expect(where(text)).toEqual([
        ['mount-bad-from', 7, 9],
        ['mount-from-conflict', 10, 3],
      ]);
      // werf ≥ 1.0.3 takes a relative host path.
      expect(parse(text).config.images[0]?.mount?.map((m) => m.fromPath)).toEqual(['cache']);
    });
  });

  describe('import', () => {
    it('checks source, add and stage', () => {
      const text = withMeta(
        'image: a', //                      4
        'from: alpine', //                  5
        'import:', //                       6
        '- add: /x', //                     7
        '  after: install',
        '- image: b', //                    9
        '  artifact: c', //                 10
        '  add: /x',
        '  after: setup',
        '- image: b', //                    13
        '  after: setup',
        '- image: b', //                    15
        '  add: /x',
        '  before: install', //             17
        '  after: setup', //                18
        '- image: b', //                    19
        '  add: /x',
        '- image: b', //                    21
        '  add: /x',
        '  before: beforeSetup', //         23
        '---',
        'image: b',
        'from: alpine',
        '---',
        'artifact: c',
        'from: alpine',
      );
      expect(where(text)).toEqual([
        ['import-source-required', 7, 3],
        ['import-source-conflict', 10, 3],
        ['import-add-required', 13, 3],
        ['import-stage-conflict', 18, 3],
        ['import-stage-required', 19, 3],
        ['import-bad-stage', 23, 11],
      ]);
    });

    it('accepts v2 `from:` with an external image and `stage:`', () => {
      const text = withMeta('image: a', 'from: alpine', 'import:', '- from: nginx:1.25', '  add: /etc/nginx', '  before: setup', '  stage: install');
      const { config, problems } = parse(text);
      expect(problems).toEqual([]);
      expect(config.images[0].import?.[0]).toMatchObject({ from: 'nginx:1.25', external: true, stage: 'install' });
      expect(config.images[0].dependsOn).toEqual([]);
    });
  });

  describe('dependencies', () => {
    it('needs a stage for Stapel images and an env target for imports', () => {
      const text = withMeta(
        'image: base',
        'from: alpine',
        '---',
        'image: a', //                      7
        'from: alpine',
        'dependencies:',
        '- image: base', //                 10
        '- image: base', //                 11
        '  before: install',
        '  after: setup', //                13
        '- image: base', //                 14
        '  after: build', //                15
        '- image: base', //                 16
        '  after: install',
        '  imports:',
        '  - type: ImageTag', //            19
        '    targetBuildArg: TAG', //       20
      );
      expect(where(text)).toEqual([
        ['dependency-stage', 10, 3],
        ['dependency-stage', 13, 3],
        ['dependency-stage', 15, 10],
        ['dependency-import-invalid', 20, 5],
      ]);
    });
  });

  it('checks value types', () => {
    const text = withMeta(
      'image: a', //                     4
      'from: alpine', //                 5
      'git: /src', //                    6
      'shell:', //                       7
      '  install: {cmd: ls}', //         8
      'docker:', //                      9
      '  CMD: [ls, 1]', //               10
      '  ENV: [A]', //                   11
      'fromLatest: sometimes', //        12
    );
    expect(where(text)).toEqual([
      ['wrong-type', 6, 6],
      ['wrong-type', 8, 12],
      ['wrong-type', 10, 13],
      ['wrong-type', 11, 8],
      ['wrong-type', 12, 13],
    ]);
  });
});
