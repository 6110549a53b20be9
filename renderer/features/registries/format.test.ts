import { describe, expect, it } from 'vitest';
import { catalogCountLabel } from './format';

describe('catalogCountLabel', () => {
  it('says tags as tags and a registry’s artifact count as artifacts, never one for the other', () => {
    expect(catalogCountLabel({})).toBeNull();
    expect(catalogCountLabel({ tagCount: 1 })).toBe('1 tag');
    expect(catalogCountLabel({ tagCount: 0 })).toBe('0 tags');
    expect(catalogCountLabel({ artifactCount: 1 })).toBe('1 artifact');
    expect(catalogCountLabel({ artifactCount: 12 })).toBe('12 artifacts');
    expect(catalogCountLabel({ tagCount: 5, artifactCount: 3 })).toBe('5 tags · 3 artifacts');
  });
});
