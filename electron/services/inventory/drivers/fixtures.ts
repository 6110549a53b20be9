/**
 * Listing answers in each vendor's recorded shape (field names, types and quirks as the vendor
 * sends them; values made up). Used by the parser unit tests; the emulators serve the same shapes.
 */
export const D1 = `sha256:${'a'.repeat(64)}`;
export const D2 = `sha256:${'b'.repeat(64)}`;
export const D3 = `sha256:${'c'.repeat(64)}`;
export const D4 = `sha256:${'d'.repeat(64)}`;

/** ECR DescribeImages over the wire (JSON 1.1: epoch seconds as floats). */
export const ECR_DESCRIBE_IMAGES = {
  imageDetails: [
    {
      registryId: '123456789012',
      repositoryName: 'team/app',
      imageDigest: D1,
      imageTags: ['v1', 'latest'],
      imageSizeInBytes: 27811247,
      imagePushedAt: 1714561234.123,
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
      lastRecordedPullTime: 1714600000.5,
      imageStatus: 'ACTIVE',
    },
    { registryId: '123456789012', repositoryName: 'team/app', imageDigest: D2, imageSizeInBytes: 1000, imagePushedAt: 1714000000, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' },
    {
      registryId: '123456789012',
      repositoryName: 'team/app',
      imageDigest: D3,
      imageTags: ['multi'],
      imageSizeInBytes: 512,
      imagePushedAt: 1714000001,
      imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
    },
  ],
  nextToken: 'ukD72mdD/mC8b5xV3susmJzzaTgp3hKwR9nRJW1yZp0==',
};

/** ACR `GET /acr/v1/team/app/_manifests` (api-version 2021-07-01 shape). */
export const ACR_MANIFESTS = {
  registry: 'myregistry.azurecr.io',
  imageName: 'team/app',
  manifests: [
    {
      digest: D1,
      imageSize: 2814,
      createdTime: '2024-05-01T10:00:00.1234567Z',
      lastUpdateTime: '2024-05-02T10:00:00.1234567Z',
      architecture: 'amd64',
      os: 'linux',
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      configMediaType: 'application/vnd.docker.container.image.v1+json',
      tags: ['v1', 'latest'],
      changeableAttributes: { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true },
    },
    {
      digest: D2,
      imageSize: 0,
      createdTime: '2024-05-03T10:00:00Z',
      lastUpdateTime: '2024-05-03T10:00:00Z',
      mediaType: 'application/vnd.oci.image.index.v1+json',
      references: [
        { digest: D3, architecture: 'amd64', os: 'linux' },
        { digest: D4, architecture: 'arm64', os: 'linux' },
      ],
      tags: ['multi'],
      changeableAttributes: { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true },
    },
    { digest: D3, imageSize: 100, createdTime: '2024-05-03T09:59:00Z', lastUpdateTime: '2024-05-03T09:59:00Z', architecture: 'amd64', os: 'linux', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
  ],
};

/** Docker Hub `GET /v2/namespaces/acme/repositories/app/tags?page_size=2`. */
export const HUB_TAGS = {
  count: 3,
  next: 'https://hub.docker.com/v2/namespaces/acme/repositories/app/tags?page=2&page_size=2',
  previous: null,
  results: [
    {
      creator: 7,
      id: 11,
      images: [
        { architecture: 'amd64', features: '', variant: null, digest: D3, os: 'linux', os_features: '', os_version: null, size: 3_000_000, status: 'active', last_pulled: '2024-06-01T00:00:00.000000Z', last_pushed: '2024-05-01T00:00:00.000000Z' },
        { architecture: 'arm64', features: '', variant: 'v8', digest: D4, os: 'linux', os_features: '', os_version: null, size: 2_900_000, status: 'active', last_pulled: null, last_pushed: '2024-05-01T00:00:00.000000Z' },
      ],
      last_updated: '2024-05-01T00:00:05.123456Z',
      last_updater: 7,
      last_updater_username: 'acme',
      name: 'multi',
      repository: 99,
      full_size: 3_000_000,
      v2: true,
      tag_status: 'active',
      tag_last_pulled: '2024-06-01T00:00:00.000000Z',
      tag_last_pushed: '2024-05-01T00:00:05.123456Z',
      media_type: 'application/vnd.oci.image.index.v1+json',
      content_type: 'image',
      digest: D2,
    },
    {
      creator: 7,
      id: 12,
      images: [{ architecture: 'amd64', features: '', variant: null, digest: D1, os: 'linux', os_features: '', os_version: null, size: 1234, status: 'inactive', last_pulled: null, last_pushed: '2023-01-01T00:00:00Z' }],
      last_updated: '2023-01-01T00:00:00Z',
      name: 'old',
      repository: 99,
      full_size: 1234,
      v2: true,
      tag_status: 'inactive',
      tag_last_pulled: null,
      tag_last_pushed: '2023-01-01T00:00:00Z',
      media_type: 'application/vnd.docker.distribution.manifest.v2+json',
      content_type: 'image',
      digest: D1,
    },
  ],
};

/** GitHub `GET /orgs/acme/packages/container/app/versions`. */
export const GITHUB_VERSIONS = [
  {
    id: 214,
    name: D1,
    url: 'https://api.github.com/orgs/acme/packages/container/app/versions/214',
    package_html_url: 'https://github.com/orgs/acme/packages/container/package/app',
    created_at: '2024-04-10T12:00:00Z',
    updated_at: '2024-04-11T12:00:00Z',
    html_url: 'https://github.com/orgs/acme/packages/container/app/214',
    metadata: { package_type: 'container', container: { tags: ['v1', 'latest'] } },
  },
  {
    id: 213,
    name: D2,
    url: 'https://api.github.com/orgs/acme/packages/container/app/versions/213',
    created_at: '2024-04-09T12:00:00Z',
    updated_at: '2024-04-09T12:00:00Z',
    metadata: { package_type: 'container', container: { tags: [] } },
  },
];

/** GitLab GraphQL `containerRepository(id).tags` on the metadata-database registry (GitLab.com). */
export const GITLAB_TAGS_GRAPHQL = {
  data: {
    containerRepository: {
      tags: {
        pageInfo: { hasNextPage: true, endCursor: 'eyJuYW1lIjoidjIifQ' },
        nodes: [
          { name: 'v1', digest: D1, revision: 'e'.repeat(64), mediaType: 'application/vnd.docker.distribution.manifest.v2+json', totalSize: '27811247', createdAt: '2024-01-01T00:00:00+00:00', publishedAt: '2024-02-01T00:00:00+00:00' },
          { name: 'v2', digest: D2, mediaType: 'application/vnd.oci.image.index.v1+json', totalSize: '9007199254740993', createdAt: '2024-01-02T00:00:00+00:00', publishedAt: null },
        ],
      },
    },
  },
};

/** The same on a legacy registry: no mediaType/publishedAt, createdAt from the image config, Int size. */
export const GITLAB_TAGS_GRAPHQL_LEGACY = {
  data: { containerRepository: { tags: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [{ name: 'v1', digest: D1, totalSize: 1234, createdAt: '2023-12-31T23:00:00Z' }] } } },
};

export const GITLAB_GRAPHQL_UNKNOWN_FIELD = {
  errors: [{ message: "Field 'mediaType' doesn't exist on type 'ContainerRepositoryTag'", locations: [{ line: 1, column: 120 }], path: ['query', 'containerRepository', 'tags', 'nodes', 'mediaType'], extensions: { code: 'undefinedField', typeName: 'ContainerRepositoryTag', fieldName: 'mediaType' } }],
};

/** Quay `GET /api/v1/repository/acme/app/tag/?onlyActiveTags=true&limit=2&page=1`. */
export const QUAY_TAGS = {
  tags: [
    { name: 'v1', reversion: false, start_ts: 1714561234, manifest_digest: D1, is_manifest_list: false, size: 27811000, last_modified: 'Wed, 01 May 2024 11:00:34 -0000' },
    { name: 'multi', reversion: false, start_ts: 1714561000, manifest_digest: D2, is_manifest_list: true, last_modified: 'Wed, 01 May 2024 10:56:40 -0000' },
    { name: 'gone', reversion: false, start_ts: 1700000000, end_ts: 1700000500, manifest_digest: D3, is_manifest_list: false, size: 5, last_modified: 'Tue, 14 Nov 2023 22:13:20 -0000', expiration: 'Tue, 14 Nov 2023 22:21:40 -0000' },
  ],
  page: 1,
  has_additional: true,
};

/** Harbor `GET /api/v2.0/projects/team/repositories/sub%252Fapp/artifacts?with_tag=true`. */
export const HARBOR_ARTIFACTS = [
  {
    id: 5,
    type: 'IMAGE',
    media_type: 'application/vnd.docker.container.image.v1+json',
    manifest_media_type: 'application/vnd.docker.distribution.manifest.v2+json',
    project_id: 2,
    repository_id: 3,
    repository_name: 'team/sub/app',
    digest: D1,
    size: 2815,
    icon: 'sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06',
    push_time: '2024-05-01T10:00:00.000Z',
    pull_time: '0001-01-01T00:00:00.000Z',
    extra_attrs: { architecture: 'amd64', author: '', config: { Env: ['PATH=/usr/bin'], Labels: { 'werf-image-name': 'backend', weird: 5 } }, created: '2024-04-30T09:00:00Z', os: 'linux' },
    annotations: null,
    references: null,
    tags: [
      { id: 9, repository_id: 3, artifact_id: 5, name: 'v1', push_time: '2024-05-01T10:00:01.000Z', pull_time: '2024-06-01T00:00:00.000Z', immutable: false, signed: false },
      { id: 10, repository_id: 3, artifact_id: 5, name: 'latest', push_time: '2024-05-02T10:00:00.000Z', pull_time: '0001-01-01T00:00:00.000Z', immutable: true, signed: false },
    ],
    accessories: null,
  },
  {
    id: 6,
    type: 'IMAGE',
    media_type: 'application/vnd.oci.image.index.v1+json',
    manifest_media_type: 'application/vnd.oci.image.index.v1+json',
    digest: D2,
    size: 6000,
    push_time: '2024-05-03T10:00:00.000Z',
    pull_time: '2024-05-04T10:00:00.000Z',
    extra_attrs: {},
    references: [
      { parent_id: 6, child_id: 7, child_digest: D3, platform: { architecture: 'amd64', os: 'linux' }, annotations: null, urls: null },
      { parent_id: 6, child_id: 8, child_digest: D4, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' }, annotations: null, urls: null },
    ],
    tags: [{ id: 11, name: 'multi', push_time: '2024-05-03T10:00:00.000Z', pull_time: '0001-01-01T00:00:00.000Z', immutable: false }],
  },
  { id: 7, type: 'IMAGE', manifest_media_type: 'application/vnd.oci.image.manifest.v1+json', digest: D3, size: 3000, push_time: '2024-05-03T09:00:00.000Z', pull_time: '0001-01-01T00:00:00.000Z', tags: null },
];

/** Google `tags/list`: GCR sends timeUploadedMs as a string, Artifact Registry as a number. */
export const GOOGLE_TAGS_LIST = {
  child: ['sub'],
  manifest: {
    [D1]: { imageSizeBytes: '27811247', layerId: '', mediaType: 'application/vnd.docker.distribution.manifest.v2+json', tag: ['v1', 'latest'], timeCreatedMs: '1714000000000', timeUploadedMs: '1714561234567' },
    [D2]: { imageSizeBytes: '0', layerId: '', mediaType: 'application/vnd.oci.image.index.v1+json', tag: ['multi'], timeCreatedMs: '0', timeUploadedMs: 1714561299999 },
    [D3]: { imageSizeBytes: '100', layerId: '', mediaType: 'application/vnd.oci.image.manifest.v1+json', tag: [], timeCreatedMs: '1714000000000', timeUploadedMs: 1714561200000 },
  },
  name: 'proj/repo/app',
  tags: ['latest', 'multi', 'orphan', 'v1'],
};
