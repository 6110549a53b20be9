import { describe, expect, it } from 'vitest';
import { detectImplementation, parseImagesRepo, registryHostCaution, type DetectionDetails } from './detect';
import type { Implementation } from './implementations';

interface Row {
  address: string;
  implementation: Implementation;
  registry: string;
  repository: string | null;
  werf: Implementation;
  details?: DetectionDetails;
}

const ACCOUNT = '123456789012';

const rows: Row[] = [
  // ECR
  {
    address: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`,
    implementation: 'ecr',
    registry: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`,
    repository: null,
    werf: 'ecr',
    details: { ecr: { accountId: ACCOUNT, region: 'us-east-1', fips: false, chinaPartition: false, dualStack: false } },
  },
  { address: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team/app`, implementation: 'ecr', registry: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`, repository: 'team/app', werf: 'ecr' },
  {
    address: `${ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app`,
    implementation: 'ecr',
    registry: `${ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`,
    repository: 'app',
    werf: 'ecr',
    details: { ecr: { accountId: ACCOUNT, region: 'us-gov-west-1', fips: true, chinaPartition: false, dualStack: false } },
  },
  {
    address: `${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/app`,
    implementation: 'ecr',
    registry: `${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn`,
    repository: 'app',
    werf: 'ecr',
    details: { ecr: { accountId: ACCOUNT, region: 'cn-north-1', fips: false, chinaPartition: true, dualStack: false } },
  },
  {
    address: `${ACCOUNT}.dkr-ecr.eu-west-1.on.aws/app`,
    implementation: 'ecr',
    registry: `${ACCOUNT}.dkr-ecr.eu-west-1.on.aws`,
    repository: 'app',
    werf: 'default',
    details: { ecr: { accountId: ACCOUNT, region: 'eu-west-1', fips: false, chinaPartition: false, dualStack: true } },
  },
  {
    address: `${ACCOUNT}.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn/app`,
    implementation: 'ecr',
    registry: `${ACCOUNT}.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn`,
    repository: 'app',
    werf: 'default',
    details: { ecr: { accountId: ACCOUNT, region: 'cn-northwest-1', fips: false, chinaPartition: true, dualStack: true } },
  },
  { address: `${ACCOUNT}.dkr.ecr.eusc-de-east-1.amazonaws.eu/app`, implementation: 'ecr', registry: `${ACCOUNT}.dkr.ecr.eusc-de-east-1.amazonaws.eu`, repository: 'app', werf: 'default' },
  { address: '12345678901.dkr.ecr.us-east-1.amazonaws.com/app', implementation: 'default', registry: '12345678901.dkr.ecr.us-east-1.amazonaws.com', repository: 'app', werf: 'default' },
  { address: '1234567890123.dkr.ecr.us-east-1.amazonaws.com', implementation: 'default', registry: '1234567890123.dkr.ecr.us-east-1.amazonaws.com', repository: null, werf: 'default' },
  { address: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.example.org/app`, implementation: 'default', registry: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.example.org`, repository: 'app', werf: 'default' },
  { address: 'public.ecr.aws/alias/app', implementation: 'default', registry: 'public.ecr.aws', repository: 'alias/app', werf: 'default' },
  // ACR
  {
    address: 'myregistry.azurecr.io',
    implementation: 'acr',
    registry: 'myregistry.azurecr.io',
    repository: null,
    werf: 'acr',
    details: { acr: { registryName: 'myregistry', cloud: 'public' } },
  },
  { address: 'myregistry.azurecr.io/team/app', implementation: 'acr', registry: 'myregistry.azurecr.io', repository: 'team/app', werf: 'acr' },
  {
    address: 'myregistry.azurecr.cn/app',
    implementation: 'acr',
    registry: 'myregistry.azurecr.cn',
    repository: 'app',
    werf: 'default',
    details: { acr: { registryName: 'myregistry', cloud: 'china' } },
  },
  {
    address: 'myregistry.azurecr.us',
    implementation: 'acr',
    registry: 'myregistry.azurecr.us',
    repository: null,
    werf: 'default',
    details: { acr: { registryName: 'myregistry', cloud: 'usgov' } },
  },
  { address: 'foo.azurecr.io.example.com/app', implementation: 'default', registry: 'foo.azurecr.io.example.com', repository: 'app', werf: 'acr' },
  { address: 'myregistry.eastus.data.azurecr.io', implementation: 'default', registry: 'myregistry.eastus.data.azurecr.io', repository: null, werf: 'acr' },
  // Docker Hub
  { address: 'alpine', implementation: 'dockerhub', registry: 'index.docker.io', repository: 'library/alpine', werf: 'dockerhub' },
  { address: 'flant', implementation: 'dockerhub', registry: 'index.docker.io', repository: 'library/flant', werf: 'dockerhub' },
  { address: 'flant/project', implementation: 'dockerhub', registry: 'index.docker.io', repository: 'flant/project', werf: 'dockerhub' },
  { address: 'library/alpine', implementation: 'dockerhub', registry: 'index.docker.io', repository: 'library/alpine', werf: 'dockerhub' },
  { address: 'docker.io/flant', implementation: 'dockerhub', registry: 'index.docker.io', repository: 'library/flant', werf: 'dockerhub' },
  { address: 'docker.io/flant/project', implementation: 'dockerhub', registry: 'index.docker.io', repository: 'flant/project', werf: 'dockerhub' },
  { address: 'index.docker.io/flant/app', implementation: 'dockerhub', registry: 'index.docker.io', repository: 'flant/app', werf: 'dockerhub' },
  { address: 'registry.hub.docker.com/flant/app', implementation: 'dockerhub', registry: 'registry.hub.docker.com', repository: 'flant/app', werf: 'dockerhub' },
  { address: 'registry-1.docker.io/flant/app', implementation: 'dockerhub', registry: 'registry-1.docker.io', repository: 'flant/app', werf: 'default' },
  { address: 'hub.docker.com/flant', implementation: 'default', registry: 'hub.docker.com', repository: 'flant', werf: 'default' },
  // Google
  { address: 'gcr.io/my-project', implementation: 'gcr', registry: 'gcr.io', repository: 'my-project', werf: 'gcr', details: { gcr: { kind: 'gcr', project: 'my-project' } } },
  {
    address: 'eu.gcr.io/my-project/app',
    implementation: 'gcr',
    registry: 'eu.gcr.io',
    repository: 'my-project/app',
    werf: 'gcr',
    details: { gcr: { kind: 'gcr', location: 'eu', project: 'my-project' } },
  },
  { address: 'k8s.gcr.io', implementation: 'gcr', registry: 'k8s.gcr.io', repository: null, werf: 'gcr', details: { gcr: { kind: 'gcr' } } },
  { address: 'container.cloud.google.com/p', implementation: 'gcr', registry: 'container.cloud.google.com', repository: 'p', werf: 'gcr' },
  {
    address: 'europe-docker.pkg.dev/my-project/repo',
    implementation: 'gcr',
    registry: 'europe-docker.pkg.dev',
    repository: 'my-project/repo',
    werf: 'default',
    details: { gcr: { kind: 'artifact-registry', location: 'europe', project: 'my-project' } },
  },
  {
    address: 'us-central1-docker.pkg.dev/p/r/img',
    implementation: 'gcr',
    registry: 'us-central1-docker.pkg.dev',
    repository: 'p/r/img',
    werf: 'default',
    details: { gcr: { kind: 'artifact-registry', location: 'us-central1', project: 'p' } },
  },
  { address: 'gcr.io.example.net/app', implementation: 'default', registry: 'gcr.io.example.net', repository: 'app', werf: 'gcr' },
  // GitHub
  { address: 'ghcr.io/flant', implementation: 'github', registry: 'ghcr.io', repository: 'flant', werf: 'github', details: { github: { host: 'ghcr.io', owner: 'flant' } } },
  { address: 'ghcr.io', implementation: 'github', registry: 'ghcr.io', repository: null, werf: 'github', details: { github: { host: 'ghcr.io' } } },
  {
    address: 'docker.pkg.github.com/flant/werf',
    implementation: 'github',
    registry: 'docker.pkg.github.com',
    repository: 'flant/werf',
    werf: 'github',
    details: { github: { host: 'docker.pkg.github.com', owner: 'flant' } },
  },
  // GitLab
  { address: 'registry.gitlab.com/group/project', implementation: 'gitlab', registry: 'registry.gitlab.com', repository: 'group/project', werf: 'default' },
  { address: 'gitlab.com/group/project', implementation: 'gitlab', registry: 'gitlab.com', repository: 'group/project', werf: 'gitlab' },
  { address: 'registry.gitlab.example.com:5050/group/project', implementation: 'gitlab', registry: 'registry.gitlab.example.com:5050', repository: 'group/project', werf: 'default' },
  { address: 'gitlab.example.com:5050/group/project', implementation: 'default', registry: 'gitlab.example.com:5050', repository: 'group/project', werf: 'default' },
  // Harbor
  { address: 'harbor.example.com/library/app', implementation: 'harbor', registry: 'harbor.example.com', repository: 'library/app', werf: 'harbor' },
  { address: 'demo.goharbor.io/project', implementation: 'harbor', registry: 'demo.goharbor.io', repository: 'project', werf: 'default' },
  { address: 'myharbor.example.com/project', implementation: 'default', registry: 'myharbor.example.com', repository: 'project', werf: 'default' },
  // Quay
  { address: 'quay.io/flant', implementation: 'quay', registry: 'quay.io', repository: 'flant', werf: 'quay' },
  { address: 'quay.io/flant/app', implementation: 'quay', registry: 'quay.io', repository: 'flant/app', werf: 'quay' },
  { address: 'quay.example.com/ns/repo', implementation: 'quay', registry: 'quay.example.com', repository: 'ns/repo', werf: 'quay' },
  { address: 'quay.example.com.evil.org/ns', implementation: 'default', registry: 'quay.example.com.evil.org', repository: 'ns', werf: 'quay' },
  // Local and generic
  { address: 'localhost', implementation: 'default', registry: 'localhost', repository: null, werf: 'dockerhub' },
  { address: 'localhost/app', implementation: 'default', registry: 'localhost', repository: 'app', werf: 'dockerhub' },
  { address: 'localhost:5000', implementation: 'default', registry: 'localhost:5000', repository: null, werf: 'default' },
  { address: 'localhost:5000/x', implementation: 'default', registry: 'localhost:5000', repository: 'x', werf: 'default' },
  { address: '127.0.0.1:5000', implementation: 'default', registry: '127.0.0.1:5000', repository: null, werf: 'default' },
  { address: '[::1]:5000/app', implementation: 'default', registry: '[::1]:5000', repository: 'app', werf: 'default' },
  { address: 'registry.example.com:8443/team/app', implementation: 'default', registry: 'registry.example.com:8443', repository: 'team/app', werf: 'default' },
  { address: 'registry.example.com/team/app/', implementation: 'default', registry: 'registry.example.com', repository: 'team/app', werf: 'default' },
  { address: 'Registry.Example.COM/team', implementation: 'default', registry: 'registry.example.com', repository: 'team', werf: 'default' },
  { address: 'cr.selcloud.ru/x', implementation: 'default', registry: 'cr.selcloud.ru', repository: 'x', werf: 'default' },
];

describe('detectImplementation', () => {
  it.each(rows)('$address → $implementation (werf: $werf)', (row) => {
    const d = detectImplementation(row.address);
    expect(d.implementation).toBe(row.implementation);
    expect(d.registry).toBe(row.registry);
    expect(d.repository).toBe(row.repository);
    expect(d.werfWouldSay).toBe(row.werf);
    if (row.details) expect(d.details).toEqual(row.details);
    expect(d.reason.length).toBeGreaterThan(10);
  });

  it('covers every implementation', () => {
    const seen = new Set(rows.map((r) => r.implementation));
    expect([...seen].sort()).toEqual(['acr', 'default', 'dockerhub', 'ecr', 'gcr', 'github', 'gitlab', 'harbor', 'quay']);
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it('explains where werf would differ', () => {
    expect(detectImplementation('foo.azurecr.io.example.com/app').reason).toMatch(/werf would use "acr"/);
    expect(detectImplementation('registry.gitlab.com/g/p').reason).toMatch(/werf would use "default"/);
    expect(detectImplementation('localhost/app').reason).toMatch(/Docker Hub path/);
    expect(detectImplementation('ghcr.io/x').reason).toMatch(/v1\.1/);
  });

  it('shows how werf reads a Docker Hub path', () => {
    expect(detectImplementation('flant').reason).toMatch(/index\.docker\.io\/library\/flant/);
    expect(detectImplementation('flant/project').reason).toMatch(/index\.docker\.io\/flant\/project\./);
  });

  it('says why an almost-ECR host is not ECR', () => {
    expect(detectImplementation('12345678901.dkr.ecr.us-east-1.amazonaws.com').reason).toMatch(/exactly 12 digits \(this one has 11\)/);
  });

  it('strips the trailing slash and scheme from the address', () => {
    expect(detectImplementation('https://ghcr.io/flant/').address).toBe('ghcr.io/flant');
    expect(detectImplementation('https://ghcr.io/flant/').implementation).toBe('github');
  });

  it('handles an empty address', () => {
    const d = detectImplementation('');
    expect(d.implementation).toBe('default');
    expect(d.registry).toBe('');
    expect(d.repository).toBeNull();
  });
});

describe('parseImagesRepo', () => {
  const codes = (address: string) => parseImagesRepo(address).problems.map((p) => `${p.severity}:${p.code}`);

  it('accepts clean addresses without problems', () => {
    for (const a of ['localhost:5000', 'ghcr.io/flant/app', 'flant', `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/a`, '[::1]:5000']) {
      expect(codes(a)).toEqual([]);
    }
  });

  it('reports an empty address', () => {
    expect(codes('')).toEqual(['error:images-repo-empty']);
    expect(codes('   ')).toEqual(['error:images-repo-empty']);
    expect(parseImagesRepo('').problems[0].message).toBe('--images-repo REPO param required');
  });

  it('trims outer spaces with a warning and refuses inner spaces', () => {
    const trimmed = parseImagesRepo(' ghcr.io/x ');
    expect(trimmed.address).toBe('ghcr.io/x');
    expect(codes(' ghcr.io/x ')).toEqual(['warning:images-repo-whitespace']);
    expect(codes('ghcr.io/my app')).toEqual(['error:images-repo-whitespace']);
  });

  it('strips a scheme with a warning', () => {
    const p = parseImagesRepo('https://registry.example.com/app');
    expect(p).toMatchObject({ address: 'registry.example.com/app', registry: 'registry.example.com', repository: 'app' });
    expect(codes('https://registry.example.com/app')).toEqual(['warning:images-repo-scheme']);
  });

  it('refuses a tag and keeps the repository', () => {
    expect(parseImagesRepo('registry.example.com/app:v1')).toMatchObject({ address: 'registry.example.com/app', repository: 'app' });
    expect(codes('registry.example.com/app:v1')).toEqual(['error:images-repo-tag']);
    expect(parseImagesRepo('alpine:3.18')).toMatchObject({ registry: 'index.docker.io', repository: 'alpine' });
    expect(codes('alpine:3.18')).toEqual(['error:images-repo-tag']);
    expect(codes('localhost:5000/app:latest')).toEqual(['error:images-repo-tag']);
  });

  it('refuses a digest', () => {
    expect(parseImagesRepo('registry.example.com/app@sha256:abcd').repository).toBe('app');
    expect(codes('registry.example.com/app@sha256:abcd')).toEqual(['error:images-repo-digest']);
  });

  it('refuses empty path components', () => {
    expect(codes('registry.example.com//app')).toEqual(['error:images-repo-empty-component']);
    expect(parseImagesRepo('registry.example.com//app').repository).toBe('app');
  });

  it('accepts an uppercase host and leaves the uppercase path for later', () => {
    expect(parseImagesRepo('Registry.Example.com/App')).toMatchObject({ registry: 'registry.example.com', repository: 'App', problems: [] });
  });

  it('keeps the path as written for Docker Hub (no implicit library/)', () => {
    expect(parseImagesRepo('flant').repository).toBe('flant');
    expect(parseImagesRepo('docker.io/flant').registry).toBe('index.docker.io');
  });

  it('refuses malformed hosts and ports', () => {
    expect(codes('bad_host.example.com/app')).toEqual(['error:images-repo-invalid-host']);
    expect(codes('host.example.com:99999/app')).toEqual(['error:images-repo-invalid-host']);
  });
});

describe('registryHostCaution', () => {
  it('flags near misses', () => {
    expect(registryHostCaution('12345678901.dkr.ecr.us-east-1.amazonaws.com')).toMatch(/12 digits/);
    expect(registryHostCaution('foo.azurecr.io.example.com')).toMatch(/does not end/);
    expect(registryHostCaution('myregistry.eastus.data.azurecr.io')).toMatch(/login server/);
    expect(registryHostCaution('hub.docker.com')).toMatch(/website/);
    expect(registryHostCaution('gitlab.com')).toMatch(/registry\.gitlab\.com/);
    expect(registryHostCaution('public.ecr.aws')).toMatch(/ECR Public/);
  });

  it('stays quiet for ordinary hosts', () => {
    for (const r of ['ghcr.io', 'registry.example.com:5000', 'index.docker.io', `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`, 'x.azurecr.io']) {
      expect(registryHostCaution(r)).toBeNull();
    }
  });
});
