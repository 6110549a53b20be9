import { describe, expect, test } from 'vitest';
import { findChallenge, parseChallenges } from './challenge';
import { globMatch, intersect, parseScope, parseScopes } from './scope';

describe('WWW-Authenticate parsing', () => {
  test('several challenges in one header (Quay)', () => {
    expect(parseChallenges('Basic realm="https://q/v2/auth", Bearer realm="https://q/v2/auth",service="q",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'basic', params: { realm: 'https://q/v2/auth' } },
      { scheme: 'bearer', params: { realm: 'https://q/v2/auth', service: 'q', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  test('lower-case scheme, unquoted values and escaped quotes', () => {
    expect(findChallenge('bearer realm=https://gcr.io/v2/token,service=gcr.io', 'bearer')?.params).toEqual({ realm: 'https://gcr.io/v2/token', service: 'gcr.io' });
    expect(findChallenge('Basic realm="a \\"quoted\\" realm"', 'basic')?.params.realm).toBe('a "quoted" realm');
    expect(parseChallenges(null)).toEqual([]);
  });
});

describe('scopes', () => {
  test('parse, merge and intersect', () => {
    expect(parseScope('repository:localhost:5000/app:pull')).toEqual({ type: 'repository', name: 'localhost:5000/app', actions: ['pull'] });
    expect(parseScope('nonsense')).toBeNull();
    expect(parseScopes(['repository:a:pull repository:a:push', 'registry:catalog:*'])).toEqual([
      { type: 'repository', name: 'a', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
    const allowed = (e: { name: string }) => new Set(e.name === 'a' ? ['pull'] : []);
    expect(intersect(parseScopes(['repository:a:pull,delete', 'repository:b:pull']), allowed)).toEqual([{ type: 'repository', name: 'a', actions: ['pull'] }]);
    expect(globMatch('team/*', 'team/x/y')).toBe(true);
    expect(globMatch('team/*', 'other/x')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });
});
