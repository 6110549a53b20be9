import { describe, expect, it } from 'vitest';
import type { ImplementationChoice } from '../registry/implementations';
import { previewNames, type PreviewInput, type PreviewResult } from './preview';
import type { RequestedRepoMode } from './repo-mode';
import { dockerTag } from './slug';
import type { TagStrategy } from './tags';

function preview(
  imagesRepo: string,
  names: (string | null)[] = ['backend', 'frontend'],
  options: { mode?: RequestedRepoMode; implementation?: ImplementationChoice; tags?: { strategy: TagStrategy; raw: string }[] } = {},
): PreviewResult {
  const input: PreviewInput = {
    images: names.map((name) => ({ name })),
    imagesRepo,
    mode: options.mode ?? 'auto',
    implementation: options.implementation ?? 'auto',
    tags: options.tags ?? [{ strategy: 'custom', raw: 'tag' }],
  };
  return previewNames(input);
}

const refs = (r: PreviewResult) => r.images.flatMap((i) => i.tags.map((t) => t.reference));
const codes = (r: PreviewResult) => r.problems.map((p) => `${p.severity}:${p.code}`);
const problem = (r: PreviewResult, code: string) => r.problems.find((p) => p.code === code);

describe('the seed example', () => {
  it('flant → multirepo flant/IMAGE:tag', () => {
    const r = preview('flant');
    expect(r).toMatchObject({ imagesRepo: 'flant', implementation: 'dockerhub', implementationSource: 'detected', mode: 'multirepo', modeSource: 'auto' });
    expect(refs(r)).toEqual(['flant/backend:tag', 'flant/frontend:tag']);
    expect(r.problems).toEqual([]);
    expect(r.modeReason).toMatch(/multirepo/);
    expect(r.detection.implementation).toBe('dockerhub');
  });

  it('flant/project → monorepo flant/project:IMAGE-tag', () => {
    const r = preview('flant/project');
    expect(r.mode).toBe('monorepo');
    expect(refs(r)).toEqual(['flant/project:backend-tag', 'flant/project:frontend-tag']);
    expect(r.problems).toEqual([]);
  });

  it('flant/project with explicit multirepo → the werf error and no references', () => {
    const r = preview('flant/project', undefined, { mode: 'multirepo' });
    expect(r.mode).toBeNull();
    expect(r.modeSource).toBe('explicit');
    expect(refs(r)).toEqual([]);
    expect(r.images.map((i) => i.name)).toEqual(['backend', 'frontend']);
    expect(r.problems).toEqual([
      {
        severity: 'error',
        image: null,
        scope: 'preview',
        code: 'repo-mode-unsupported',
        message:
          'docker registry implementation dockerhub and repo mode multirepo cannot be used with flant/project (exclude repository from address or use monorepo repo mode)',
        hint: expect.any(String),
      },
    ]);
  });

  it('the result is plain JSON with the CLI field set', () => {
    const r = preview('flant/project');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(Object.keys(r).sort()).toEqual(
      ['detection', 'images', 'imagesRepo', 'implementation', 'implementationSource', 'mode', 'modeReason', 'modeSource', 'problems'].sort(),
    );
    expect(Object.keys(r.images[0].tags[0]).sort()).toEqual(['reference', 'strategy', 'tag', 'value']);
  });
});

describe('naming templates', () => {
  it('strips the trailing slash first', () => {
    const r = preview('registry.example.com/team/', ['app']);
    expect(r.imagesRepo).toBe('registry.example.com/team');
    expect(refs(r)).toEqual(['registry.example.com/team/app:tag']);
  });

  it('nameless image: REPO:TAG in both modes', () => {
    expect(refs(preview('registry.example.com/app', [null]))).toEqual(['registry.example.com/app:tag']);
    expect(refs(preview('registry.example.com/app', [null], { mode: 'monorepo' }))).toEqual(['registry.example.com/app:tag']);
    expect(preview('registry.example.com/app', ['']).images[0].name).toBeNull();
  });

  it('publishes one reference per tag', () => {
    const r = preview('registry.example.com/team', ['app'], {
      tags: [
        { strategy: 'custom', raw: 'v1' },
        { strategy: 'git-branch', raw: 'feature/ABC_1' },
        { strategy: 'git-tag', raw: 'v1.0.0' },
        { strategy: 'git-commit', raw: '0123456789abcdef0123456789abcdef01234567' },
      ],
    });
    const branch = dockerTag('feature/ABC_1');
    expect(branch).toMatch(/^feature-abc-1-[0-9a-f]{7,8}$/);
    expect(r.images[0].tags).toEqual([
      { strategy: 'custom', value: 'v1', tag: 'v1', reference: 'registry.example.com/team/app:v1' },
      { strategy: 'git-branch', value: branch, tag: branch, reference: `registry.example.com/team/app:${branch}` },
      { strategy: 'git-tag', value: 'v1.0.0', tag: 'v1.0.0', reference: 'registry.example.com/team/app:v1.0.0' },
      {
        strategy: 'git-commit',
        value: '0123456789abcdef0123456789abcdef01234567',
        tag: '0123456789abcdef0123456789abcdef01234567',
        reference: 'registry.example.com/team/app:0123456789abcdef0123456789abcdef01234567',
      },
    ]);
    expect(r.problems).toEqual([]);
  });

  it('monorepo with a slugged branch', () => {
    const r = preview('flant/project', ['api'], { tags: [{ strategy: 'git-branch', raw: 'feature/ABC_1' }] });
    expect(refs(r)).toEqual([`flant/project:api-${dockerTag('feature/ABC_1')}`]);
  });
});

describe('tag validation', () => {
  it('reports invalid custom tags with werf\'s message, shows them as typed and marked, and previews the rest', () => {
    const r = preview('flant', ['app'], {
      tags: [
        { strategy: 'custom', raw: '-bad' },
        { strategy: 'custom', raw: 'good' },
      ],
    });
    expect(refs(r)).toEqual(['flant/app:-bad', 'flant/app:good']);
    // Only the refused value's name is invalid: an error about one tag value says nothing about the others.
    expect(r.images[0]!.tags.map((t) => t.invalid?.[0] ?? 'valid')).toEqual([expect.stringMatching(/^werf refuses the tag "-bad"/), 'valid']);
    expect(r.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        image: null,
        code: 'tag-invalid',
        message: "bad --tag-custom parameter '-bad' specified: docker tag should comply with regex '^[\\w][\\w.-]*$' and be maximum 128 chars",
      }),
    ]);
  });

  it('warns about duplicate tag values and publishes them once', () => {
    const r = preview('flant', ['app'], {
      tags: [
        { strategy: 'git-branch', raw: 'main' },
        { strategy: 'custom', raw: 'main' },
      ],
    });
    expect(refs(r)).toEqual(['flant/app:main']);
    expect(codes(r)).toEqual(['warning:tag-duplicate']);
  });
});

describe('implementation override', () => {
  it('uses the override and says so', () => {
    const r = preview('registry.example.com/ns/repo', ['app'], { implementation: 'quay' });
    expect(r).toMatchObject({ implementation: 'quay', implementationSource: 'override', mode: 'monorepo' });
    expect(r.detection.implementation).toBe('default');
    expect(refs(r)).toEqual(['registry.example.com/ns/repo:app-tag']);
  });

  it('refuses an unknown implementation with werf\'s message and falls back to detection', () => {
    const r = preview('registry.example.com/team', ['app'], { implementation: 'nexus' as ImplementationChoice });
    expect(r).toMatchObject({ implementation: 'default', implementationSource: 'detected' });
    expect(problem(r, 'implementation-invalid')?.message).toBe("specified docker registry implementation 'nexus' is not supported");
  });

  it('warns when werf would detect something else, unless overridden', () => {
    const r = preview('registry.gitlab.com/group/project', ['app']);
    expect(r.implementation).toBe('gitlab');
    const w = problem(r, 'werf-detects-differently');
    expect(w).toMatchObject({ severity: 'warning' });
    expect(w?.hint).toMatch(/--images-repo-implementation=gitlab/);
    expect(codes(preview('registry.gitlab.com/group/project', ['app'], { implementation: 'gitlab' }))).toEqual([]);
  });

  it('gives bare localhost a hint about the port rather than a flag', () => {
    const r = preview('localhost/app', ['x']);
    expect(r.implementation).toBe('default');
    expect(problem(r, 'werf-detects-differently')?.hint).toMatch(/localhost:5000/);
  });

  it('passes on host cautions', () => {
    expect(codes(preview('gitlab.com/group/project', ['app']))).toEqual(['warning:registry-host-suspicious']);
  });
});

describe('checks werf leaves to push time', () => {
  it('composed monorepo tag over 128 characters', () => {
    const name = 'a'.repeat(60);
    const r = preview('flant/project', [name, 'ok'], {
      tags: [
        { strategy: 'custom', raw: 'b'.repeat(70) },
        { strategy: 'custom', raw: 'short' },
      ],
    });
    expect(codes(r)).toEqual(['error:monorepo-tag-too-long']);
    const p = problem(r, 'monorepo-tag-too-long');
    expect(p?.image).toBe(name);
    expect(p?.message).toMatch(/\(131\)/);
    expect(p?.hint).toBeTruthy();
    expect(codes(preview('flant/project', ['a'.repeat(57)], { tags: [{ strategy: 'custom', raw: 'b'.repeat(70) }] }))).toEqual([]);
  });

  it('image names that are not valid path components in multirepo', () => {
    const r = preview('registry.example.com/team', ['Backend', 'app_', 'team/api', 'team//api', 'my_app', 'a__b', 'a---b', '-x']);
    expect(r.problems.map((p) => `${p.code}@${p.image}`)).toEqual([
      'image-name-uppercase@Backend',
      'image-name-invalid@app_',
      'image-name-invalid@team//api',
      'image-name-invalid@-x',
    ]);
    expect(problem(r, 'image-name-uppercase')?.hint).toMatch(/push fails/);
  });

  it('image names that cannot start a tag in monorepo', () => {
    const r = preview('flant/project', ['team/api', 'Api_2']);
    expect(r.problems.map((p) => `${p.code}@${p.image}`)).toEqual(['monorepo-tag-invalid@team/api']);
  });

  it('uppercase in the repository path', () => {
    const r = preview('registry.example.com/Team', ['app']);
    expect(codes(r)).toEqual(['error:repository-uppercase']);
    expect(codes(preview('Flant', ['app']))).toEqual(['error:repository-uppercase']);
    expect(codes(preview('registry.example.com/te..am', ['app']))).toEqual(['error:repository-invalid']);
  });

  it('nameless image with an account-only Docker Hub address', () => {
    const r = preview('flant', [null]);
    expect(refs(r)).toEqual(['flant:tag']);
    expect(codes(r)).toEqual(['error:nameless-needs-repository']);
    expect(problem(r, 'nameless-needs-repository')?.image).toBeNull();
  });

  it('nameless image with a registry-only address', () => {
    expect(codes(preview('localhost:5000', [null]))).toEqual(['error:nameless-needs-repository']);
    expect(codes(preview('quay.io/ns', [null]))).toEqual(['error:nameless-needs-repository']);
    expect(codes(preview('ghcr.io/owner', [null]))).toEqual(['error:nameless-needs-repository']);
    expect(codes(preview('ghcr.io/owner/app', [null]))).toEqual([]);
  });

  it('multirepo nesting deeper than the registry allows', () => {
    const r = preview('flant', ['team/api']);
    expect(r.problems.map((p) => `${p.code}@${p.image}`)).toEqual(['repository-too-deep@team/api']);
    expect(codes(preview('quay.io/ns', ['a/b']))).toEqual(['error:repository-too-deep']);
    expect(codes(preview('docker.pkg.github.com/o/p', ['a/b']))).toEqual(['error:repository-too-deep']);
    expect(codes(preview('registry.example.com/team', ['a/b/c/d']))).toEqual([]);
  });

  it('the library quirk: warning plus the push-time failure it causes', () => {
    const r = preview('library/alpine', ['frontend']);
    expect(r.mode).toBe('multirepo');
    expect(refs(r)).toEqual(['library/alpine/frontend:tag']);
    expect(codes(r)).toEqual(['warning:dockerhub-library-quirk', 'error:repository-too-deep']);
  });

  it('addresses missing a namespace', () => {
    expect(codes(preview('ghcr.io', ['app']))).toEqual(['error:repository-too-shallow']);
    expect(codes(preview('europe-docker.pkg.dev/project', ['app']))).toEqual(['warning:werf-detects-differently', 'error:repository-too-shallow']);
    expect(codes(preview('harbor.example.com/project', ['app'], { mode: 'monorepo' }))).toEqual(['error:repository-too-shallow']);
  });

  it('monorepo on a registry-only address is reported once', () => {
    expect(codes(preview('localhost:5000', ['a', 'b'], { mode: 'monorepo' }))).toEqual(['error:monorepo-without-repository']);
  });

  it('monorepo prefix ambiguity', () => {
    const r = preview('flant/project', ['app', 'app-worker', 'app-worker-x', 'api']);
    const w = r.problems.filter((p) => p.code === 'monorepo-prefix-ambiguous');
    expect(w.map((p) => `${p.severity}@${p.image}`)).toEqual(['warning@app', 'warning@app', 'warning@app-worker']);
    expect(w[0].message).toBe('Tags of "app-worker" also start with "app-", the prefix of image "app"');
    expect(codes(preview('registry.example.com/team', ['app', 'app-worker']))).toEqual([]);
  });

  it('monorepo with a nameless image next to named ones', () => {
    const r = preview('flant/project', [null, 'app']);
    expect(codes(r)).toEqual(['warning:monorepo-prefix-ambiguous']);
    expect(problem(r, 'monorepo-prefix-ambiguous')?.image).toBeNull();
  });

  it('references that collide', () => {
    const r = preview('flant/project', [null, 'app'], {
      tags: [
        { strategy: 'custom', raw: 'x' },
        { strategy: 'custom', raw: 'app-x' },
      ],
    });
    const c = problem(r, 'reference-collision');
    expect(c).toMatchObject({ severity: 'error', image: 'app' });
    expect(c?.message).toMatch(/^flant\/project:app-x would be published for the nameless image and for image "app"/);
    expect(r.problems.filter((p) => p.code === 'reference-collision')).toHaveLength(1);
  });

  it('repository names over 255 characters', () => {
    const long = 'a'.repeat(240);
    const r = preview('registry.example.com/team', [long]);
    expect(codes(r)).toEqual(['error:reference-too-long']);
    expect(problem(r, 'reference-too-long')?.image).toBe(long);
    expect(codes(preview(`registry.example.com/${'b'.repeat(240)}`, ['x'], { mode: 'monorepo' }))).toEqual(['error:reference-too-long']);
    expect(codes(preview('registry.example.com/team', ['a'.repeat(200)]))).toEqual([]);
  });
});

describe('address problems reach the preview', () => {
  it('empty address: no references, one error', () => {
    const r = preview('');
    expect(r.mode).toBeNull();
    expect(refs(r)).toEqual([]);
    expect(codes(r)).toEqual(['error:images-repo-empty']);
  });

  it('a scheme is stripped with a warning and the preview continues', () => {
    const r = preview('https://ghcr.io/owner/', ['app']);
    expect(r.imagesRepo).toBe('ghcr.io/owner');
    expect(refs(r)).toEqual(['ghcr.io/owner/app:tag']);
    expect(codes(r)).toEqual(['warning:images-repo-scheme']);
  });

  it('a tag in the address is an error', () => {
    expect(codes(preview('registry.example.com/team:v1', ['app']))).toEqual(['error:images-repo-tag']);
  });
});

// Speed is measured by `npm run bench`; here only that a large preview is complete.
describe('large previews', () => {
  it('names 300 images × 4 tags in both modes', () => {
    const images = Array.from({ length: 300 }, (_, i) => ({ name: `service-${i}` }));
    const tags: { strategy: TagStrategy; raw: string }[] = [
      { strategy: 'custom', raw: 'v1.2.3' },
      { strategy: 'git-branch', raw: 'feature/ABC_1' },
      { strategy: 'git-tag', raw: 'v1.2.3-rc.1' },
      { strategy: 'git-commit', raw: '0123456789abcdef0123456789abcdef01234567' },
    ];
    for (const mode of ['multirepo', 'monorepo'] as const) {
      const input: PreviewInput = { images, imagesRepo: 'registry.example.com/group/project', mode, implementation: 'auto', tags };
      const r = previewNames(input);
      expect(r.images).toHaveLength(300);
      expect(r.images[299]!.tags.map((t) => t.reference)).toContain(
        mode === 'multirepo' ? 'registry.example.com/group/project/service-299:v1.2.3' : 'registry.example.com/group/project:service-299-v1.2.3',
      );
    }
  });
});

describe('invalid names are marked, never silently fixed', () => {
  const invalidRefs = (r: PreviewResult) => r.images.flatMap((i) => i.tags.filter((t) => t.invalid).map((t) => t.reference));
  const validRefs = (r: PreviewResult) => r.images.flatMap((i) => i.tags.filter((t) => !t.invalid).map((t) => t.reference));

  it('the nameless image on an account-only Quay address is invalid, and says why', () => {
    const r = preview('quay.io/org', [null]);
    expect(refs(r)).toEqual(['quay.io/org:tag']);
    const tag = r.images[0]!.tags[0]!;
    expect(tag.invalid).toBeDefined();
    expect(tag.invalid!.join(' ')).toMatch(/repository/);
  });

  it('image names with uppercase or spaces are invalid; the valid ones stay valid', () => {
    const r = preview('registry.example.com/team', ['backend', 'Backend', 'api gateway']);
    expect(validRefs(r)).toEqual(['registry.example.com/team/backend:tag']);
    expect(invalidRefs(r)).toEqual(['registry.example.com/team/Backend:tag', 'registry.example.com/team/api gateway:tag']);
    expect(r.images[1]!.tags[0]!.invalid![0]).toMatch(/uppercase/);
  });

  it('a name defined twice is shown twice, the second marked as a duplicate, both invalid', () => {
    const r = preview('registry.example.com/team', ['backend', 'frontend', 'backend']);
    expect(r.images.map((i) => [i.name, i.duplicate ?? false])).toEqual([['backend', false], ['frontend', false], ['backend', true]]);
    expect(refs(r)).toEqual(['registry.example.com/team/backend:tag', 'registry.example.com/team/frontend:tag', 'registry.example.com/team/backend:tag']);
    expect(validRefs(r)).toEqual(['registry.example.com/team/frontend:tag']);
    expect(codes(r)).toEqual(['error:image-name-duplicate']);
  });

  it('an address with a space keeps the space in every name and makes all of them invalid', () => {
    const r = preview('myreg.azurecr.io/shop app', ['backend']);
    expect(r.implementation).toBe('acr');
    expect(refs(r)).toEqual(['myreg.azurecr.io/shop app/backend:tag']);
    expect(r.images[0]!.tags[0]!.invalid!.join(' ')).toMatch(/contains spaces/);
    expect(r.modeReason).toContain('myreg.azurecr.io/shop app/IMAGE');
  });

  it('the other clean-ups still apply around a kept space', () => {
    const r = preview('https://myreg.azurecr.io/shop\tapp/', ['backend']);
    expect(refs(r)).toEqual(['myreg.azurecr.io/shop\tapp/backend:tag']);
  });

  it('only the composed monorepo tags over 128 characters are invalid', () => {
    const long = 'b'.repeat(100);
    const r = preview('registry.example.com/team/app', [long], { mode: 'monorepo', tags: [{ strategy: 'custom', raw: 'v1' }, { strategy: 'custom', raw: 'x'.repeat(40) }] });
    expect(r.images[0]!.tags.map((t) => t.invalid === undefined)).toEqual([true, false]);
  });

  it('a warning alone does not make a name invalid', () => {
    const r = preview('registry.example.com/team/app', ['app', 'app-worker'], { mode: 'monorepo' });
    expect(codes(r)).toContain('warning:monorepo-prefix-ambiguous');
    expect(invalidRefs(r)).toEqual([]);
  });
});

describe('what the names table shows', () => {
  it('the tag is the real docker tag: IMAGE-value in monorepo, the value in multirepo', () => {
    const mono = preview('flant/project', ['backend'], { tags: [{ strategy: 'custom', raw: 'latest' }] });
    expect(mono.images[0]!.tags[0]).toMatchObject({ value: 'latest', tag: 'backend-latest', reference: 'flant/project:backend-latest' });
    const multi = preview('flant', ['backend'], { tags: [{ strategy: 'custom', raw: 'latest' }] });
    expect(multi.images[0]!.tags[0]).toMatchObject({ value: 'latest', tag: 'latest' });
  });

  it('warns when the chosen implementation contradicts a host Stowage recognises', () => {
    const r = preview('quay.io/org/app', ['backend'], { implementation: 'ecr' });
    const p = problem(r, 'implementation-contradicts-host');
    expect(p?.severity).toBe('warning');
    expect(p?.message).toMatch(/quay\.io is Quay, but the implementation is set to/);
  });

  it('does not warn for an implementation chosen for a host it cannot recognise', () => {
    const r = preview('registry.example.com/team/app', ['backend'], { implementation: 'harbor' });
    expect(problem(r, 'implementation-contradicts-host')).toBeUndefined();
  });
});
