import { describe, expect, it } from 'vitest';
import { parsePolicyFile } from './policy-file';
import { planCleanup } from './planner';
import { validateKeepPolicies } from './keep-policies';

describe('policy file', () => {
  it('reads the rules with where each was written', () => {
    const r = parsePolicyFile(['# rules', 'protect: [latest]', "keep:\n  - '^v'", "delete: '^pr-'", 'keepNewest: 3', 'keepYoungerThan: { duration: 72h, by: pushed }', 'keepSemver: 2'].join('\n'), 'rules.yaml');
    expect(r).toEqual({
      ok: true,
      policy: {
        policy: 'rules',
        protect: ['latest'],
        keep: ['^v'],
        delete: ['^pr-'],
        keepNewest: 3,
        keepYoungerThan: { duration: '72h', by: 'pushed' },
        keepSemver: 2,
        sources: {
          protect: { file: 'rules.yaml', line: 2, column: 1 },
          keep: { file: 'rules.yaml', line: 3, column: 1 },
          delete: { file: 'rules.yaml', line: 5, column: 1 },
          keepNewest: { file: 'rules.yaml', line: 6, column: 1 },
          keepYoungerThan: { file: 'rules.yaml', line: 7, column: 1 },
          keepSemver: { file: 'rules.yaml', line: 8, column: 1 },
        },
      },
    });
  });

  it('names the line of a bad regex, an unknown key and a negative limit', () => {
    const bad = parsePolicyFile(['keep:', "  - '^ok'", "  - '(unclosed'"].join('\n'), 'p.yaml');
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.line).toBe(3);
      expect(bad.error.message).toBe('p.yaml:3: keep: /(unclosed/ is not a valid Go regular expression: error parsing regexp: missing closing ): `(unclosed`');
    }
    const unknown = parsePolicyFile(['keepNewest: 2', 'keepOldest: 1'].join('\n'), 'p.yaml');
    expect(unknown.ok === false && unknown.error.message).toBe('p.yaml:2: unknown key "keepOldest" for policy rules');
    const negative = parsePolicyFile(['keepSemver: 1', 'keepNewest: -4'].join('\n'), 'p.yaml');
    expect(negative.ok === false && negative.error.message).toBe('p.yaml:2: keepNewest: must not be negative, got -4');
    const limit = parsePolicyFile(['policy: werf-tag-strategy', 'gitTag:', '  limit: 5', '  expiryDays: -2'].join('\n'), 'p.yaml');
    expect(limit.ok === false && limit.error.message).toBe('p.yaml:4: gitTag.expiryDays: must not be negative, got -2');
    const perl = parsePolicyFile("delete: ['(?<=a)b']", 'p.yaml');
    expect(perl.ok === false && perl.error.line).toBe(1);
    const yaml = parsePolicyFile('keep: [a\nkeepNewest: 1', 'p.yaml');
    expect(yaml.ok).toBe(false);
  });

  it('reads werf v1.1 strategy limits', () => {
    expect(parsePolicyFile('policy: werf-tag-strategy\ngitCommit: { limit: 20, expiryDays: 30 }\n', 'l.yaml')).toEqual({ ok: true, policy: { policy: 'werf-tag-strategy', gitCommit: { limit: 20, expiryDays: 30 } } });
  });
});

describe('keepPolicies werf would reject', () => {
  it('gives werf\'s own error texts', () => {
    expect(validateKeepPolicies([{ references: {} }])?.message).toBe('tag `tag: string|REGEX` or branch `branch: string|REGEX` required for cleanup keep policy!');
    expect(validateKeepPolicies([{ references: { branch: 'a', tag: 'b' } }])?.message).toBe('specify only tag `tag: string|REGEX` or branch `branch: string|REGEX` for cleanup keep policy!');
    expect(validateKeepPolicies([{ references: { branch: { regex: '[' } } }])?.message).toBe('invalid value "/[/" for `branch: string|REGEX`!');
    expect(validateKeepPolicies([{ references: { tag: 'v1', limit: { last: 1, operator: 'and' as 'And' } } }])?.message).toBe('unsupported value "and" for `operator: Or|And`!');
    const out = planCleanup({
      now: '2025-01-01T00:00:00Z', repository: 'r', implementation: 'default', registryHost: 'r', capability: { tagDelete: false, digestDelete: true }, tags: [],
      policy: { policy: 'werf-git-history', keepPolicies: [{ references: {}, source: { file: 'werf.yaml', line: 7, column: 5 } }] },
    });
    expect(out.ok === false && out.error).toMatchObject({ code: 'keep-policy-reference-required', file: 'werf.yaml', line: 7 });
  });
});
