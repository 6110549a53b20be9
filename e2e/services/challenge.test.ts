import { describe, expect, test } from 'vitest';
import { findChallenge, formatChallenge, parseChallenges } from './challenge';
import { formatScope, globMatch, intersect, parseScope, parseScopes } from './scope';

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

  // Headers as the registries' own documentation and source print them.
  test('Docker Hub (distribution token spec, docs/spec/auth/token.md): a quoted scope whose commas belong to it', () => {
    const h = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"';
    expect(parseChallenges(h)).toEqual([{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } }]);
  });

  test('insufficient_scope after the scope (distribution registry/auth/token accesscontroller, GitLab)', () => {
    const h = 'Bearer realm="https://gitlab.example.com/jwt/auth",service="container_registry",scope="repository:group/project:delete",error="insufficient_scope"';
    expect(findChallenge(h, 'bearer')?.params).toEqual({ realm: 'https://gitlab.example.com/jwt/auth', service: 'container_registry', scope: 'repository:group/project:delete', error: 'insufficient_scope' });
  });

  test('several scopes in one quoted value, and the scope param repeated', () => {
    const h = 'Bearer realm="https://r/token",scope="repository:a:pull repository:b:pull,push",error="insufficient_scope"';
    expect(parseScopes([findChallenge(h, 'bearer')?.params.scope ?? ''])).toEqual([
      { type: 'repository', name: 'a', actions: ['pull'] },
      { type: 'repository', name: 'b', actions: ['pull', 'push'] },
    ]);
    expect(findChallenge('Bearer realm="r",scope="repository:a:pull",scope="repository:b:push"', 'bearer')?.params.scope).toBe('repository:a:pull repository:b:push');
  });

  test('ECR (Basic with a service) and ACR / Harbor / GHCR Bearer realms', () => {
    expect(findChallenge('Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"', 'basic')?.params).toEqual({
      realm: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com/',
      service: 'ecr.amazonaws.com',
    });
    expect(findChallenge('Bearer realm="https://example.azurecr.io/oauth2/token",service="example.azurecr.io"', 'bearer')?.params.realm).toBe('https://example.azurecr.io/oauth2/token');
    expect(findChallenge('Bearer realm="https://harbor.example/service/token",service="harbor-registry"', 'bearer')?.params.service).toBe('harbor-registry');
    expect(findChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"', 'bearer')?.params.scope).toBe('repository:user/image:pull');
  });

  test('RFC 7235 §4.1 example: a quoted comma, spaces around "=", a parameter-less scheme, and a token68', () => {
    expect(parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
    expect(findChallenge('Bearer realm = "https://r/token?a=1,b=2" , service="s"', 'bearer')?.params).toEqual({ realm: 'https://r/token?a=1,b=2', service: 's' });
    expect(parseChallenges('Negotiate, Basic realm="x"')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    expect(parseChallenges('Negotiate abc+/9==, Basic realm="x"')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc+/9==' },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });

  test('an unquoted scope with commas stays one value; a following challenge still starts', () => {
    expect(parseChallenges('Bearer realm=https://r/token,scope=repository:a:pull,push, Basic realm="b"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://r/token', scope: 'repository:a:pull,push' } },
      { scheme: 'basic', params: { realm: 'b' } },
    ]);
  });

  test('formatChallenge quotes and escapes, and parses back', () => {
    const params = { realm: 'https://r/token?x="1",y=2', service: 'a\\b', scope: 'repository:a:pull,push' };
    const h = formatChallenge('Bearer', params);
    expect(h).toBe('Bearer realm="https://r/token?x=\\"1\\",y=2",service="a\\\\b",scope="repository:a:pull,push"');
    expect(findChallenge(h, 'bearer')?.params).toEqual(params);
  });
});

describe('scopes (distribution docs/spec/auth/scope.md)', () => {
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

  test('a resource class, ACR actions, and what is not a scope', () => {
    expect(parseScope('repository(plugin):vieux/sshfs:pull')).toEqual({ type: 'repository(plugin)', name: 'vieux/sshfs', actions: ['pull'] });
    expect(parseScope('repository:team/app:metadata_read,delete')).toEqual({ type: 'repository', name: 'team/app', actions: ['metadata_read', 'delete'] });
    expect(parseScope('repository:app:')).toBeNull();
    expect(parseScope('repository::pull')).toBeNull();
    expect(parseScope(':app:pull')).toBeNull();
    expect(parseScope('repository:app:PULL')).toBeNull();
    expect(formatScope({ type: 'repository', name: 'localhost:5000/app', actions: ['pull', 'push'] })).toBe('repository:localhost:5000/app:pull,push');
  });
});
