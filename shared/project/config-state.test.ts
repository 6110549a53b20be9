import { describe, expect, it } from 'vitest';
import type { Problem } from '../problems';
import { configBreakage, errorsFirst } from './config-state';

const p = (severity: Problem['severity'], code: string): Problem => ({ severity, code, message: code });

describe('configBreakage', () => {
  it('tells a config that could not be read into images from one with errors in it', () => {
    expect(configBreakage([p('error', 'yaml-syntax')])).toBe('yaml');
    expect(configBreakage([p('warning', 'giterminism-uncommitted'), p('error', 'template-parse')])).toBe('template');
    expect(configBreakage([p('error', 'project-limit-time')])).toBe('template');
    expect(configBreakage([p('error', 'unknown-fields'), p('error', 'invalid-image-name')])).toBeNull();
    expect(configBreakage([p('warning', 'template-warning')])).toBeNull();
  });
});

describe('errorsFirst', () => {
  it('lists errors before warnings and keeps each group in order', () => {
    const list = [p('warning', 'w1'), p('error', 'e1'), p('warning', 'w2'), p('error', 'e2')];
    expect(errorsFirst(list).map((x) => x.code)).toEqual(['e1', 'e2', 'w1', 'w2']);
  });
});
