import { describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT, MEDIA_TYPES, classifyTag, isValidDigest, isValidRepository, isValidTag, manifestKind, normalizeMediaType, tagKind } from './classify';

const SHA3 = 'a'.repeat(56);
const HEX64 = '0123456789abcdef'.repeat(4);

describe('classifyTag', () => {
  it.each([
    ['meta-app_0123abcd_1712345678', 'meta'],
    ['managed-image-app', 'managed-image'],
    ['managed-image-__nameless__', 'managed-image'],
    ['import-metadata-5f1e', 'import-metadata'],
    ['client-id-6d4f-1712345678901', 'client-id'],
    ['custom-tag-meta-v1.2.3', 'custom-tag-meta'],
    ['image-metadata-by-commit-app-0123abcd', 'image-metadata-by-commit'],
    ['anything-rejected', 'rejected'],
  ])('%s is werf bookkeeping (%s)', (tag, service) => {
    const c = classifyTag(tag);
    expect(c.service).toBe(service);
    expect(tagKind(c, MEDIA_TYPES.dockerManifest)).toBe('werf-service');
  });

  it('a bare prefix is not a service tag', () => {
    expect(classifyTag('meta-')).toEqual({});
    expect(classifyTag('managed-image-')).toEqual({});
    expect(classifyTag('-rejected'.slice(1))).toEqual({});
  });

  it('stage tags carry their creation time in the name', () => {
    const ms = Date.UTC(2024, 4, 6, 7, 8, 9, 123);
    const c = classifyTag(`${SHA3}-${ms}`);
    expect(c).toEqual({ service: 'stage', created: '2024-05-06T07:08:09.123Z' });
    // A stage is an image (in werf v1.2+ the published one): its kind follows the manifest.
    expect(tagKind(c, MEDIA_TYPES.dockerManifest)).toBe('image');
    expect(tagKind(c, MEDIA_TYPES.ociIndex)).toBe('index');
  });

  it('rejected stages keep the time and are bookkeeping', () => {
    const ms = Date.UTC(2023, 0, 1);
    const c = classifyTag(`${SHA3}-${ms}-rejected`);
    expect(c).toEqual({ service: 'rejected', created: '2023-01-01T00:00:00.000Z' });
    expect(tagKind(c, null)).toBe('werf-service');
  });

  it('near-misses of the stage shape are ordinary tags', () => {
    expect(classifyTag(`${'a'.repeat(55)}-1712345678901`)).toEqual({});
    expect(classifyTag(`${'A'.repeat(56)}-1712345678901`)).toEqual({});
    expect(classifyTag(`${SHA3}-171234567890`)).toEqual({});
    expect(classifyTag(`${SHA3}-1712345678901-x`)).toEqual({});
    expect(classifyTag('v1.2.3')).toEqual({});
    expect(classifyTag('latest')).toEqual({});
    expect(classifyTag('metadata')).toEqual({});
  });

  it.each([
    ['sig', 'sig'],
    ['att', 'att'],
    ['sbom', 'sbom'],
  ])('sha256-<hex>.%s describes sha256:<hex>', (suffix, type) => {
    const c = classifyTag(`sha256-${HEX64}.${suffix}`);
    expect(c).toEqual({ signatureOf: `sha256:${HEX64}`, signatureType: type });
    expect(tagKind(c, MEDIA_TYPES.ociManifest)).toBe('signature');
  });

  it('the bare referrers-fallback tag also describes its digest', () => {
    expect(classifyTag(`sha256-${HEX64}`)).toEqual({ signatureOf: `sha256:${HEX64}`, signatureType: 'referrers' });
    expect(classifyTag(`sha256-${HEX64.slice(1)}.sig`)).toEqual({});
    expect(classifyTag(`sha256-${HEX64}.sig2`)).toEqual({});
  });
});

describe('media types', () => {
  it('indexes and lists are index; everything else is image', () => {
    expect(manifestKind(MEDIA_TYPES.ociIndex)).toBe('index');
    expect(manifestKind(`${MEDIA_TYPES.dockerList}; charset=utf-8`)).toBe('index');
    expect(manifestKind('Application/VND.OCI.Image.Index.v1+JSON')).toBe('index');
    expect(manifestKind(MEDIA_TYPES.ociManifest)).toBe('image');
    expect(manifestKind(MEDIA_TYPES.dockerManifest)).toBe('image');
    expect(manifestKind(MEDIA_TYPES.dockerSchema1Signed)).toBe('image');
    expect(manifestKind(null)).toBeNull();
    expect(manifestKind('')).toBeNull();
    expect(normalizeMediaType(' application/json ; q=1')).toBe('application/json');
    expect(tagKind({}, null)).toBe('image');
  });

  it('Accept names all four manifest types', () => {
    for (const m of [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest]) expect(MANIFEST_ACCEPT).toContain(m);
  });
});

describe('name grammar (what may go into a request path)', () => {
  it('tags', () => {
    expect(isValidTag('v1.0_rc-1')).toBe(true);
    expect(isValidTag('x'.repeat(128))).toBe(true);
    expect(isValidTag('x'.repeat(129))).toBe(false);
    expect(isValidTag('-x')).toBe(false);
    expect(isValidTag('../x')).toBe(false);
    expect(isValidTag('a/b')).toBe(false);
    expect(isValidTag('a?b')).toBe(false);
  });
  it('repositories', () => {
    expect(isValidRepository('team/app-worker')).toBe(true);
    expect(isValidRepository('a__b/c.d')).toBe(true);
    expect(isValidRepository('Team/app')).toBe(false);
    expect(isValidRepository('team//app')).toBe(false);
    expect(isValidRepository('../etc')).toBe(false);
    expect(isValidRepository('')).toBe(false);
  });
  it('digests', () => {
    expect(isValidDigest(`sha256:${HEX64}`)).toBe(true);
    expect(isValidDigest(`sha256:${HEX64.toUpperCase()}`)).toBe(false);
    expect(isValidDigest('sha256:abc')).toBe(false);
    expect(isValidDigest(`sha256:${HEX64}/../x`)).toBe(false);
  });
});
