import { describe, expect, it } from 'vitest';
import { CURRENT_WERF_VERSION, parseWerfVersion, werfRules } from './werf-version';

describe('werf versions', () => {
  it('reads what users type', () => {
    expect(parseWerfVersion('1.1')).toBe('1.1');
    expect(parseWerfVersion('v1.2.339')).toBe('1.2');
    expect(parseWerfVersion('2')).toBe('2');
    expect(parseWerfVersion('2.46.3')).toBe('2');
    expect(parseWerfVersion('v2.47.0')).toBe('2.47');
    expect(parseWerfVersion('2.55')).toBe('2.47');
    expect(parseWerfVersion('3.2')).toBe('2.47');
    expect(parseWerfVersion('latest')).toBe(CURRENT_WERF_VERSION);
    expect(parseWerfVersion('1.0')).toBeNull();
    expect(parseWerfVersion('banana')).toBeNull();
  });
  it('gives each generation its rules', () => {
    expect(werfRules('1.1')).toMatchObject({ modern: false, filesGetMissing: 'warn', globNoMatch: 'warn', fromImageExternal: false });
    expect(werfRules('1.2')).toMatchObject({ modern: true, filesGetMissing: 'error', globNoMatch: 'error', fromImageExternal: false });
    expect(werfRules()).toMatchObject({ version: '2.47', filesGetMissing: 'error', globNoMatch: 'empty', fromImageExternal: true });
  });
});
