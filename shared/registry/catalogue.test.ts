import { describe, expect, it } from 'vitest';
import { CATALOGUE, DOC_HOSTS, isAccountAddress } from './catalogue';
import { isImplementation, isImplementationChoice, repositoryDepthLimits } from './implementation-registry';
import { IMPLEMENTATIONS } from './implementations';

describe('CATALOGUE', () => {
  it('describes every implementation', () => {
    expect(Object.keys(CATALOGUE).sort()).toEqual([...IMPLEMENTATIONS].sort());
    for (const info of Object.values(CATALOGUE)) {
      expect(info.title).not.toBe('');
      expect(info.tagDeletion.api).not.toBe('');
      expect(info.cleanupCredentials).not.toBe('');
      expect(info.notes.length).toBeGreaterThan(0);
      expect(info.docs.length).toBeGreaterThan(0);
    }
  });

  it('links only to https pages on allowed documentation hosts', () => {
    for (const info of Object.values(CATALOGUE)) {
      for (const doc of info.docs) {
        const url = new URL(doc.url);
        expect(url.protocol).toBe('https:');
        expect(DOC_HOSTS).toContain(url.hostname);
        expect(doc.label).not.toBe('');
      }
    }
  });

  it('lists no documentation host that nothing links to', () => {
    const used = new Set(Object.values(CATALOGUE).flatMap((info) => info.docs.map((d) => new URL(d.url).hostname)));
    expect([...used].sort()).toEqual([...DOC_HOSTS].sort());
  });

  it('records the facts cleanup depends on', () => {
    expect(CATALOGUE.ecr.createsRepositoriesOnPush).toBe(false);
    expect(CATALOGUE.dockerhub).toMatchObject({ nestsRepositories: false, maxRepositoryDepth: 2 });
    expect(CATALOGUE.dockerhub.tagDeletion).toMatchObject({ deletesSharedDigestTags: false, singleTagDelete: true });
    expect(CATALOGUE.quay).toMatchObject({ nestsRepositories: false, maxRepositoryDepth: 2 });
    // werf's call removes every tag on the digest; Stowage untags one with a placeholder on 2.x.
    expect(CATALOGUE.default.tagDeletion).toMatchObject({ deletesSharedDigestTags: true, singleTagDelete: true });
    expect(CATALOGUE.default.tagDeletion.api).toBe('Registry API DELETE /v2/<name>/manifests/<digest>');
    expect(CATALOGUE.github.tagDeletion.deletesSharedDigestTags).toBe(true);
    expect(CATALOGUE.gcr.tagDeletion.deletesSharedDigestTags).toBe(false);
    expect(CATALOGUE.ecr.cleanupCredentials).toMatch(/ecr:BatchDeleteImage/);
    expect(CATALOGUE.dockerhub.cleanupCredentials).toMatch(/Read, Write, Delete/);
    expect(CATALOGUE.github.cleanupCredentials).toMatch(/read:packages and delete:packages/);
  });
});

describe('repositoryDepthLimits', () => {
  it('depends on the host where the implementation spans several', () => {
    expect(repositoryDepthLimits('github', 'docker.pkg.github.com')).toEqual({ min: 3, max: 3 });
    expect(repositoryDepthLimits('github', 'ghcr.io')).toEqual({ min: 2, max: null });
    expect(repositoryDepthLimits('gcr', 'europe-docker.pkg.dev')).toEqual({ min: 3, max: null });
    expect(repositoryDepthLimits('gcr', 'gcr.io')).toEqual({ min: 2, max: null });
  });

  it('follows the catalogue elsewhere', () => {
    expect(repositoryDepthLimits('dockerhub', 'index.docker.io')).toEqual({ min: 2, max: 2 });
    expect(repositoryDepthLimits('quay', 'quay.io')).toEqual({ min: 2, max: 2 });
    expect(repositoryDepthLimits('default', 'localhost:5000')).toEqual({ min: 1, max: null });
    expect(repositoryDepthLimits('harbor', 'harbor.example.com')).toEqual({ min: 2, max: null });
  });
});

describe('implementation guards', () => {
  it('accept only known values', () => {
    expect(isImplementation('quay')).toBe(true);
    expect(isImplementation('auto')).toBe(false);
    expect(isImplementation('selectel')).toBe(false);
    expect(isImplementationChoice('auto')).toBe(true);
  });
});

describe('capabilities as data', () => {
  it('"delete one tag without its digest" agrees with what the tag-deletion notes say of each registry', () => {
    for (const id of IMPLEMENTATIONS) {
      expect(CATALOGUE[id].capabilities.deleteTagWithoutDigest, id).toBe(CATALOGUE[id].tagDeletion.singleTagDelete);
    }
    // The registries where removing a tag means deleting its digest (and every tag on it); distribution untags with a placeholder on 2.x.
    expect(IMPLEMENTATIONS.filter((id) => !CATALOGUE[id].capabilities.deleteTagWithoutDigest).sort()).toEqual(['github']);
  });

  it('only Docker Hub meters manifest GETs; every native API lists digests in one call per page', () => {
    expect(IMPLEMENTATIONS.filter((id) => CATALOGUE[id].capabilities.meteredManifestGets)).toEqual(['dockerhub']);
    expect(IMPLEMENTATIONS.filter((id) => !CATALOGUE[id].capabilities.listsDigestsInOneCall)).toEqual(['default']);
  });

  it('says which connection settings apply', () => {
    expect(IMPLEMENTATIONS.filter((id) => CATALOGUE[id].settings.apiBaseUrl !== null).sort()).toEqual(['dockerhub', 'github', 'gitlab', 'harbor', 'quay']);
    expect(IMPLEMENTATIONS.filter((id) => CATALOGUE[id].settings.sdkEndpoint !== null)).toEqual(['ecr']);
  });

  it('account-only addresses: Docker Hub and Quay always, GitHub only on docker.pkg.github.com, never with a slash', () => {
    expect(isAccountAddress(CATALOGUE.dockerhub, 'index.docker.io', 'flant')).toBe(true);
    expect(isAccountAddress(CATALOGUE.dockerhub, 'index.docker.io', 'flant/app')).toBe(false);
    expect(isAccountAddress(CATALOGUE.quay, 'quay.io', 'team')).toBe(true);
    expect(isAccountAddress(CATALOGUE.github, 'docker.pkg.github.com', 'owner')).toBe(true);
    expect(isAccountAddress(CATALOGUE.github, 'ghcr.io', 'owner')).toBe(false);
    expect(isAccountAddress(CATALOGUE.default, 'localhost:5000', 'app')).toBe(false);
  });
});
