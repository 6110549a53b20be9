import { describe, expect, it } from 'vitest';
import { isFromPublishRegistry } from './base-image-registry';

describe('isFromPublishRegistry (which base images get publish\'s credential)', () => {
  it('a Hub publish target (as parseImagesRepo gives it: index.docker.io) matches Hub-style base references', () => {
    for (const ref of ['alpine:3.20', 'library/alpine', 'docker.io/x/y', 'index.docker.io/x/y:1', 'registry-1.docker.io/x/y', 'Docker.IO/x/y']) {
      expect(isFromPublishRegistry(ref, 'index.docker.io'), ref).toBe(true);
    }
    expect(isFromPublishRegistry('alpine', 'docker.io')).toBe(true);
  });

  it('a Hub publish target does not lend its credential to other registries', () => {
    for (const ref of ['ghcr.io/x/y:1', '127.0.0.1:5000/base/app:v1', 'localhost/x', 'quay.io/a/b@sha256:' + 'a'.repeat(64)]) {
      expect(isFromPublishRegistry(ref, 'index.docker.io'), ref).toBe(false);
    }
  });

  it('a non-Hub publish target matches only its own host, case-insensitively, never Hub', () => {
    expect(isFromPublishRegistry('127.0.0.1:5000/base/app:v1', '127.0.0.1:5000')).toBe(true);
    expect(isFromPublishRegistry('GHCR.io/x/y', 'ghcr.io')).toBe(true);
    expect(isFromPublishRegistry('ghcr.io/x/y', 'GHCR.IO')).toBe(true);
    expect(isFromPublishRegistry('alpine:3.20', 'ghcr.io')).toBe(false);
    expect(isFromPublishRegistry('127.0.0.1:5001/x', '127.0.0.1:5000')).toBe(false);
  });

  it('text that is no image reference gets no credential', () => {
    expect(isFromPublishRegistry('not a ref', 'index.docker.io')).toBe(false);
    expect(isFromPublishRegistry('', 'index.docker.io')).toBe(false);
  });
});
