import { describe, expect, it } from 'vitest';
import { dockerTag } from './slug';
import { isTagStrategy, tagValue, type TagStrategy } from './tags';

const werfMessage = (flag: string, v: string) =>
  `bad --tag-${flag} parameter '${v}' specified: docker tag should comply with regex '^[\\w][\\w.-]*$' and be maximum 128 chars`;

describe('custom tags are validated, not slugged', () => {
  it.each(['v1.0', 'latest', '_x', 'Release-1_2', 'a'.repeat(128)])('accepts %s', (v) => {
    expect(tagValue('custom', v)).toEqual({ value: v, problems: [] });
  });

  it.each(['-bad', '.bad', 'feature/x', 'has space', 'ünïcode', 'a'.repeat(129), ''])('refuses %j with werf\'s message', (v) => {
    const r = tagValue('custom', v);
    expect(r.value).toBeNull();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: 'error', code: 'tag-invalid', message: werfMessage('custom', v) });
    expect(r.problems[0].hint).toBeTruthy();
  });

  it('uses the exact werf text', () => {
    expect(tagValue('custom', 'a/b').problems[0].message).toBe(
      "bad --tag-custom parameter 'a/b' specified: docker tag should comply with regex '^[\\w][\\w.-]*$' and be maximum 128 chars",
    );
  });
});

describe('git branch and tag names are slugged like werf ci-env', () => {
  it('keeps valid names as they are', () => {
    expect(tagValue('git-branch', 'main')).toEqual({ value: 'main', problems: [] });
    expect(tagValue('git-branch', 'Main_Branch')).toEqual({ value: 'Main_Branch', problems: [] });
    expect(tagValue('git-tag', 'v1.2.3')).toEqual({ value: 'v1.2.3', problems: [] });
  });

  it('slugs names that are not valid tags', () => {
    const r = tagValue('git-branch', 'feature/ABC_1');
    expect(r.problems).toEqual([]);
    expect(r.value).toBe(dockerTag('feature/ABC_1'));
    expect(r.value).toMatch(/^feature-abc-1-[0-9a-f]{7,8}$/);
    expect(tagValue('git-tag', 'helo/ehlo').value).toBe('helo-ehlo-b6f6ab1f');
    expect(tagValue('git-branch', 'da/ta').value).toBe('da-ta-afa96f8');
    expect(tagValue('git-branch', 'x'.repeat(129)).value).toBe(`${'x'.repeat(119)}-8cca70eb`);
  });

  it('refuses empty names', () => {
    expect(tagValue('git-branch', '')).toMatchObject({ value: null, problems: [{ severity: 'error', code: 'tag-empty' }] });
    expect(tagValue('git-tag', '').problems[0].message).toMatch(/tag name is empty/);
  });

  it('warns about full refs but still slugs them', () => {
    const r = tagValue('git-branch', 'refs/heads/main');
    expect(r.value).toBe(dockerTag('refs/heads/main'));
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'tag-full-ref' })]);
    expect(r.problems[0].hint).toMatch(/'main'/);
  });
});

describe('git-commit', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';

  it('accepts full and abbreviated hashes', () => {
    expect(tagValue('git-commit', sha)).toEqual({ value: sha, problems: [] });
    expect(tagValue('git-commit', sha.slice(0, 7))).toEqual({ value: sha.slice(0, 7), problems: [] });
    expect(tagValue('git-commit', 'a'.repeat(64))).toEqual({ value: 'a'.repeat(64), problems: [] });
  });

  it('validates like werf and warns when the value is not a hash', () => {
    expect(tagValue('git-commit', 'not/a/sha')).toMatchObject({ value: null, problems: [{ message: werfMessage('git-commit', 'not/a/sha') }] });
    const loose = tagValue('git-commit', 'release');
    expect(loose.value).toBe('release');
    expect(loose.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'tag-not-commit-sha' })]);
    expect(tagValue('git-commit', sha.toUpperCase()).problems[0].code).toBe('tag-not-commit-sha');
  });
});

describe('strategy guard', () => {
  it('refuses unknown strategies at runtime', () => {
    expect(isTagStrategy('git-tag')).toBe(true);
    expect(isTagStrategy('stages-signature')).toBe(false);
    const r = tagValue('stages-signature' as TagStrategy, 'x');
    expect(r).toMatchObject({ value: null, problems: [{ code: 'tag-strategy-invalid' }] });
  });
});
