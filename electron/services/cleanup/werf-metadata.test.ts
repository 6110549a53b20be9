import { describe, expect, it } from 'vitest';
import { murmur3_32String } from '../../../shared/naming/murmur3';
import { parseWerfMetadata, v11RecordTag, v12ImageId, v12RecordTag } from './werf-metadata';

const C = '0123456789abcdef0123456789abcdef01234567';
const STAGE = `${'e'.repeat(56)}-1712345678901`;

describe('werf record names', () => {
  it('composes v1.1 record tags as werf does, including the nameless image and escaped names', () => {
    expect(v11RecordTag('backend', C)).toBe(`image-metadata-by-commit-backend-${C}`);
    expect(v11RecordTag(null, C)).toBe(`image-metadata-by-commit-__nameless__-${C}`);
    expect(v11RecordTag('a/b+c', C)).toBe(`image-metadata-by-commit-a__slash__b__plus__c-${C}`);
  });

  it('shortens a v1.1 record tag to 128 characters the way werf does (slug, then - → _)', () => {
    const tag = v11RecordTag('x'.repeat(100), C);
    expect(tag).toHaveLength(128);
    expect(tag.endsWith(`-${C}`)).toBe(true);
    expect(tag.slice('image-metadata-by-commit-'.length, -C.length - 1)).not.toContain('-');
  });

  it('hashes v1.2 image ids with murmur3, unpadded hex, the nameless image as ""', () => {
    expect(v12ImageId(null)).toBe('0');
    expect(v12ImageId('')).toBe('0');
    expect(v12ImageId('backend')).toBe(murmur3_32String('backend').toString(16));
    expect(v12RecordTag('backend', C, STAGE)).toBe(`meta-${murmur3_32String('backend').toString(16)}_${C}_${STAGE}`);
  });
});

describe('parseWerfMetadata', () => {
  it('is independent of listing order', () => {
    const rows = [
      { tag: v12RecordTag('a', C, STAGE) },
      { tag: v12RecordTag('b', C, STAGE) },
      { tag: 'custom-tag-meta-x', labels: { tag: 'x', 'stage-id': STAGE } },
    ];
    const one = parseWerfMetadata(rows, ['a', 'b']);
    const two = parseWerfMetadata([...rows].reverse(), ['b', 'a']);
    expect(two).toEqual(one);
    expect(one.records.map((r) => r.tags)).toEqual([['x'], ['x']]);
  });

  it('never reads a record of an image not in werf.yaml into one that is', () => {
    const read = parseWerfMetadata([{ tag: v11RecordTag('other', C), labels: { ContentSignature: 's' } }], ['other-2', 'oth']);
    expect(read.records).toEqual([]);
    expect(read.foreign).toEqual([v11RecordTag('other', C)]);
  });

  it('marks a v1.1 record still pending or failed as unreadable for its image', () => {
    const read = parseWerfMetadata(
      [
        { tag: v11RecordTag('a', C), pending: true },
        { tag: v11RecordTag('b', C), error: 'manifest unknown' },
      ],
      ['a', 'b'],
    );
    expect(read.unreadable.map((u) => u.image)).toEqual(['a', 'b']);
    expect(read.unreadable[1]!.reason).toContain('manifest unknown');
  });
});
