import { describe, expect, it } from 'vitest';
import { tagReferences } from './references';

describe('tagReferences', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  it('names the tag by tag, by digest and as a pull command', () => {
    expect(tagReferences('127.0.0.1:5000', 'shop/backend', 'v1', digest)).toEqual({
      tag: 'v1',
      byTag: '127.0.0.1:5000/shop/backend:v1',
      digest,
      byDigest: `127.0.0.1:5000/shop/backend@${digest}`,
      pull: `docker pull 127.0.0.1:5000/shop/backend@${digest}`,
    });
  });
  it('pulls by tag when the digest is unknown', () => {
    expect(tagReferences('ghcr.io', 'acme/app', 'latest', null)).toEqual({ tag: 'latest', byTag: 'ghcr.io/acme/app:latest', pull: 'docker pull ghcr.io/acme/app:latest' });
  });
});
