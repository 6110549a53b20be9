import { describe, expect, test } from 'vitest';
import { digest, isoTime, nextLink, parseLinks, size } from './common';
import { D1, D2, D3, D4, ACR_MANIFESTS, ECR_DESCRIBE_IMAGES, GITHUB_VERSIONS, GITLAB_GRAPHQL_UNKNOWN_FIELD, GITLAB_TAGS_GRAPHQL, GITLAB_TAGS_GRAPHQL_LEGACY, GOOGLE_TAGS_LIST, HARBOR_ARTIFACTS, HUB_TAGS, QUAY_TAGS } from './fixtures';
import { acrManifestRows } from '../../registries/acr/listing';
import { dockerhubTagRows } from '../../registries/dockerhub/listing';
import { ecrRows } from '../../registries/ecr/listing';
import { googleTagRows } from '../../registries/gcr/listing';
import { githubRateLimit, githubVersionRows } from '../../registries/github/listing';
import { gitlabRepositoryIds, gitlabTagNames, gitlabTagRows } from '../../registries/gitlab/listing';
import { harborArtifactRows, harborDecodeSegment, harborRepositoryPath } from '../../registries/harbor/listing';
import { quayTagRows } from '../../registries/quay/listing';

describe('common helpers', () => {
  test('isoTime reads ISO strings, Dates, epoch seconds/ms as numbers or strings, and drops zero times', () => {
    expect(isoTime('2024-05-01T10:00:00.1234567Z')).toBe('2024-05-01T10:00:00.123Z');
    expect(isoTime(new Date('2024-05-01T00:00:00Z'))).toBe('2024-05-01T00:00:00.000Z');
    expect(isoTime(1714561234, 's')).toBe('2024-05-01T11:00:34.000Z');
    expect(isoTime('1714561234567')).toBe('2024-05-01T11:00:34.567Z');
    expect(isoTime(1714561234567)).toBe('2024-05-01T11:00:34.567Z');
    expect(isoTime('0001-01-01T00:00:00.000Z')).toBeUndefined();
    expect(isoTime('0')).toBeUndefined();
    expect(isoTime(0, 's')).toBeUndefined();
    expect(isoTime(null)).toBeUndefined();
    expect(isoTime('not a date')).toBeUndefined();
  });

  test('size takes numbers and decimal strings, refuses what cannot be exact', () => {
    expect(size(12)).toBe(12);
    expect(size('27811247')).toBe(27811247);
    expect(size('9007199254740993')).toBeNull();
    expect(size(-1)).toBeNull();
    expect(size('12kB')).toBeNull();
  });

  test('digest accepts sha256 and other algorithms, refuses junk', () => {
    expect(digest(D1)).toBe(D1);
    expect(digest('sha512:abcDEF012')).toBe('sha512:abcDEF012');
    expect(digest('')).toBeNull();
    expect(digest('v1')).toBeNull();
  });

  test('Link parsing: several entries, unquoted rel, several rels, relative URLs, Harbor spacing', () => {
    expect(parseLinks(['</v2/_catalog?last=app&n=1>; rel="next"'])).toEqual([{ url: '/v2/_catalog?last=app&n=1', rels: ['next'] }]);
    const gh = '<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"';
    expect(nextLink([gh], new URL('https://api.github.com/x'))?.href).toBe('https://api.github.com/x?page=2');
    const harbor = '</api/v2.0/projects/team/repositories/sub%252Fapp/artifacts?page=1&page_size=10>; rel="prev" , </api/v2.0/projects/team/repositories/sub%252Fapp/artifacts?page=3&page_size=10>; rel="next"';
    const next = nextLink([harbor], new URL('https://harbor.example/api/v2.0/projects/team/repositories/sub%252Fapp/artifacts?page=2'));
    // The double-encoded name must survive untouched.
    expect(next?.href).toBe('https://harbor.example/api/v2.0/projects/team/repositories/sub%252Fapp/artifacts?page=3&page_size=10');
    expect(nextLink(['<https://x/a?b=1>; rel=next'], new URL('https://x/'))?.href).toBe('https://x/a?b=1');
    expect(nextLink(['<https://x/a>; rel="prev next"'], new URL('https://x/'))?.href).toBe('https://x/a');
    expect(nextLink(['<https://x/a>; rel="last"'], new URL('https://x/'))).toBeNull();
    expect(nextLink([], new URL('https://x/'))).toBeNull();
  });
});

describe('ECR DescribeImages', () => {
  test('one row per tag with digest, size, push and pull time (epoch seconds), media type; untagged counted', () => {
    const r = ecrRows('team/app', ECR_DESCRIBE_IMAGES.imageDetails);
    expect(r.untagged).toBe(1);
    expect(r.rows.map((x) => x.tag)).toEqual(['v1', 'latest', 'multi']);
    expect(r.rows[0]).toEqual({
      repository: 'team/app',
      tag: 'v1',
      digest: D1,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: 27811247,
      pushed: '2024-05-01T11:00:34.123Z',
      pulled: '2024-05-01T21:46:40.500Z',
    });
    expect(r.rows[2]).toMatchObject({ tag: 'multi', mediaType: 'application/vnd.oci.image.index.v1+json' });
  });

  test('the SDK form (Date objects) gives the same times', () => {
    const r = ecrRows('team/app', [{ imageDigest: D1, imageTags: ['v1'], imageSizeInBytes: 1, imagePushedAt: new Date(1714561234123), lastRecordedPullTime: new Date(1714600000500) }]);
    expect(r.rows[0]).toMatchObject({ pushed: '2024-05-01T11:00:34.123Z', pulled: '2024-05-01T21:46:40.500Z', mediaType: null });
  });
});

describe('ACR _manifests', () => {
  test('rows per tag; index references become platforms; push time from createdTime', () => {
    const r = acrManifestRows('team/app', ACR_MANIFESTS);
    expect(r.untagged).toBe(1);
    expect(r.rows.map((x) => x.tag)).toEqual(['v1', 'latest', 'multi']);
    expect(r.rows[0]).toEqual({ repository: 'team/app', tag: 'v1', digest: D1, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 2814, pushed: '2024-05-01T10:00:00.123Z' });
    expect(r.rows[2]?.platforms).toEqual([
      { digest: D3, mediaType: '', os: 'linux', architecture: 'amd64' },
      { digest: D4, mediaType: '', os: 'linux', architecture: 'arm64' },
    ]);
  });

  test('an empty or foreign body gives no rows', () => {
    expect(acrManifestRows('x', { errors: [{ code: 'NAME_UNKNOWN' }] }).rows).toEqual([]);
    expect(acrManifestRows('x', null).rows).toEqual([]);
  });
});

describe('Docker Hub tags', () => {
  test('digest, media type, full_size, pushed/pulled, platforms of an index, next URL', () => {
    const r = dockerhubTagRows('acme/app', HUB_TAGS);
    expect(r.next).toBe('https://hub.docker.com/v2/namespaces/acme/repositories/app/tags?page=2&page_size=2');
    expect(r.count).toBe(3);
    const [multi, old] = r.rows;
    expect(multi).toMatchObject({ tag: 'multi', digest: D2, index: true, size: 5_900_000, pushed: '2024-05-01T00:00:05.123Z', pulled: '2024-06-01T00:00:00.000Z' });
    expect(multi?.platforms).toEqual([
      { digest: D3, mediaType: '', os: 'linux', architecture: 'amd64', size: 3_000_000 },
      { digest: D4, mediaType: '', os: 'linux', architecture: 'arm64', variant: 'v8', size: 2_900_000 },
    ]);
    expect(old).toEqual({ repository: 'acme/app', tag: 'old', digest: D1, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 1234, pushed: '2023-01-01T00:00:00.000Z' });
  });

  test('an old tag without a tag-level digest takes the single image digest', () => {
    const r = dockerhubTagRows('acme/app', { count: 1, next: null, results: [{ name: 'v0', images: [{ digest: D1, size: 5, architecture: 'amd64', os: 'linux' }], full_size: 5, last_updated: '2020-01-01T00:00:00Z' }] });
    expect(r.rows[0]).toMatchObject({ digest: D1, pushed: '2020-01-01T00:00:00.000Z' });
    expect(r.next).toBeNull();
  });
});

describe('GitHub package versions', () => {
  test('versions are digests, tags from metadata.container.tags; untagged versions counted', () => {
    const r = githubVersionRows('acme/app', GITHUB_VERSIONS);
    expect(r.untagged).toBe(1);
    expect(r.rows).toEqual([
      { repository: 'acme/app', tag: 'v1', digest: D1, mediaType: null, size: null, pushed: '2024-04-11T12:00:00.000Z' },
      { repository: 'acme/app', tag: 'latest', digest: D1, mediaType: null, size: null, pushed: '2024-04-11T12:00:00.000Z' },
    ]);
  });

  test('x-ratelimit-* headers', () => {
    const h: Record<string, string> = { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4990', 'x-ratelimit-reset': '1714561234' };
    expect(githubRateLimit((n) => h[n])).toEqual({ limit: 5000, remaining: 4990, resetAt: '2024-05-01T11:00:34.000Z' });
    expect(githubRateLimit(() => undefined)).toBeUndefined();
  });
});

describe('GitLab GraphQL tags', () => {
  test('metadata-database registry: publishedAt is the push time, totalSize a BigInt string', () => {
    const r = gitlabTagRows('group/app', GITLAB_TAGS_GRAPHQL);
    expect(r.next).toBe('eyJuYW1lIjoidjIifQ');
    expect(r.rows[0]).toEqual({
      repository: 'group/app',
      tag: 'v1',
      digest: D1,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: 27811247,
      pushed: '2024-02-01T00:00:00.000Z',
      configDigest: `sha256:${'e'.repeat(64)}`,
    });
    // Past 2^53 the size cannot be exact, so it is left to the generic driver.
    expect(r.rows[1]).toMatchObject({ tag: 'v2', size: null });
    expect(r.rows[1]?.pushed).toBeUndefined();
  });

  test('legacy registry: no publishedAt, createdAt is the config time, Int size', () => {
    const r = gitlabTagRows('group/app', GITLAB_TAGS_GRAPHQL_LEGACY);
    expect(r.next).toBeNull();
    expect(r.rows[0]).toEqual({ repository: 'group/app', tag: 'v1', digest: D1, mediaType: null, size: 1234, created: '2023-12-31T23:00:00.000Z' });
  });

  test('errors and a hidden repository are reported, not thrown', () => {
    expect(gitlabTagRows('g/a', GITLAB_GRAPHQL_UNKNOWN_FIELD).errors[0]).toContain("Field 'mediaType' doesn't exist");
    expect(gitlabTagRows('g/a', { data: { containerRepository: null } }).missing).toBe(true);
  });

  test('REST helpers: repository id by path, tag names', () => {
    expect(gitlabRepositoryIds([{ id: 1, path: 'group/app/sub' }, { id: 7, path: 'group/app' }, { id: 'x', path: 'bad' }])).toEqual(new Map([['group/app/sub', 1], ['group/app', 7]]));
    expect(gitlabRepositoryIds({ message: '404' }).size).toBe(0);
    expect(gitlabTagNames([{ name: 'a', path: 'group/app:a', location: 'r/group/app:a' }, { nope: 1 }])).toEqual(['a']);
  });
});

describe('Quay tags', () => {
  test('active tags only; start_ts is the push time; manifest lists flagged; has_additional', () => {
    const r = quayTagRows('acme/app', QUAY_TAGS, Date.UTC(2025, 0, 1));
    expect(r.hasAdditional).toBe(true);
    expect(r.rows).toEqual([
      { repository: 'acme/app', tag: 'v1', digest: D1, mediaType: null, size: 27811000, pushed: '2024-05-01T11:00:34.000Z' },
      { repository: 'acme/app', tag: 'multi', digest: D2, mediaType: null, size: null, pushed: '2024-05-01T10:56:40.000Z', index: true },
    ]);
  });
});

describe('Harbor artifacts', () => {
  test('repository names are encoded twice, project apart', () => {
    expect(harborRepositoryPath('team/sub/app')).toEqual({ project: 'team', repositorySegment: 'sub%252Fapp' });
    expect(harborRepositoryPath('library/nginx')).toEqual({ project: 'library', repositorySegment: 'nginx' });
    expect(harborRepositoryPath('a/b/c/d')?.repositorySegment).toBe('b%252Fc%252Fd');
    expect(harborRepositoryPath('noproject')).toBeNull();
    expect(harborDecodeSegment('sub%252Fapp')).toBe('sub/app');
    expect(harborDecodeSegment('sub%2Fapp')).toBe('sub/app');
  });

  test('rows per tag with tag-level push/pull times, zero times dropped, created and labels from extra_attrs, index children', () => {
    const r = harborArtifactRows('team/sub/app', HARBOR_ARTIFACTS);
    expect(r.untagged).toBe(1);
    const [v1, latest, multi] = r.rows;
    expect(v1).toEqual({
      repository: 'team/sub/app',
      tag: 'v1',
      digest: D1,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: 2815,
      pushed: '2024-05-01T10:00:01.000Z',
      pulled: '2024-06-01T00:00:00.000Z',
      created: '2024-04-30T09:00:00.000Z',
      labels: { 'werf-image-name': 'backend' },
    });
    expect(latest?.pulled).toBeUndefined();
    expect(multi?.pulled).toBe('2024-05-04T10:00:00.000Z');
    expect(multi?.platforms).toEqual([
      { digest: D3, mediaType: '', os: 'linux', architecture: 'amd64' },
      { digest: D4, mediaType: '', os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
  });
});

describe('Google tags/list extension', () => {
  test('upload time as a string (GCR) or a number (AR); created "0" means unknown; tags outside the map kept with a null digest', () => {
    const r = googleTagRows('proj/repo/app', GOOGLE_TAGS_LIST);
    expect(r.children).toEqual(['sub']);
    expect(r.untagged).toBe(1);
    const byTag = new Map(r.rows.map((x) => [x.tag, x]));
    expect(byTag.get('v1')).toEqual({ repository: 'proj/repo/app', tag: 'v1', digest: D1, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 27811247, pushed: '2024-05-01T11:00:34.567Z', created: '2024-04-24T23:06:40.000Z' });
    expect(byTag.get('multi')).toMatchObject({ digest: D2, size: 0, pushed: '2024-05-01T11:01:39.999Z' });
    expect(byTag.get('multi')?.created).toBeUndefined();
    expect(byTag.get('orphan')).toEqual({ repository: 'proj/repo/app', tag: 'orphan', digest: null, mediaType: null, size: null });
    expect(r.rows).toHaveLength(4);
  });
});
