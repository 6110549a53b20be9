import { describe, expect, it } from 'vitest';
import {
  basicChallenge,
  bearerChallenge,
  findChallenge,
  formatScope,
  mergeScopes,
  parseScope,
  parseWwwAuthenticate,
  repositoryScope,
} from './auth-challenge';

describe('parseWwwAuthenticate: the challenges registries send (registry-apis.md §0.1)', () => {
  it('Docker Hub', () => {
    const [ch] = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"');
    expect(ch).toEqual({ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } });
  });

  it('Docker Hub after a denied operation carries scope and error', () => {
    const b = bearerChallenge(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push",error="insufficient_scope"',
      ),
    );
    expect(b).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scopes: ['repository:samalba/my-app:pull,push'],
      error: 'insufficient_scope',
    });
  });

  it('AWS ECR (Basic with a service parameter)', () => {
    const list = parseWwwAuthenticate('Basic realm="https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/",service="ecr.amazonaws.com"');
    expect(list).toHaveLength(1);
    expect(list[0]).toEqual({
      scheme: 'basic',
      params: { realm: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/', service: 'ecr.amazonaws.com' },
    });
    expect(bearerChallenge(list)).toBeNull();
    expect(basicChallenge(list)).toEqual({ realm: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/' });
  });

  it('Azure ACR', () => {
    const b = bearerChallenge(parseWwwAuthenticate('Bearer realm="https://myreg.azurecr.io/oauth2/token",service="myreg.azurecr.io"'));
    expect(b).toEqual({ realm: 'https://myreg.azurecr.io/oauth2/token', service: 'myreg.azurecr.io', scopes: [] });
  });

  it('GHCR', () => {
    const b = bearerChallenge(parseWwwAuthenticate('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"'));
    expect(b?.realm).toBe('https://ghcr.io/token');
    expect(b?.service).toBe('ghcr.io');
    expect(b?.scopes).toEqual(['repository:user/image:pull']);
  });

  it('GitLab and Gitea (same service, different realm)', () => {
    expect(bearerChallenge(parseWwwAuthenticate('Bearer realm="https://gitlab.example.com/jwt/auth",service="container_registry"'))).toEqual({
      realm: 'https://gitlab.example.com/jwt/auth',
      service: 'container_registry',
      scopes: [],
    });
    expect(bearerChallenge(parseWwwAuthenticate('Bearer realm="https://gitea.example.com/v2/token",service="container_registry",scope="*"'))?.scopes).toEqual(['*']);
  });

  it('Quay: Basic and Bearer as two challenges in one header value', () => {
    const list = parseWwwAuthenticate('Basic realm="quay.io", Bearer realm="https://quay.io/v2/auth",service="quay.io"');
    expect(list.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(list[0]!.params).toEqual({ realm: 'quay.io' });
    expect(bearerChallenge(list)).toEqual({ realm: 'https://quay.io/v2/auth', service: 'quay.io', scopes: [] });
  });

  it('Harbor', () => {
    const b = bearerChallenge(parseWwwAuthenticate('Bearer realm="https://harbor.example.com/service/token",service="harbor-registry"'));
    expect(b).toEqual({ realm: 'https://harbor.example.com/service/token', service: 'harbor-registry', scopes: [] });
  });

  it('gcr.io with an unquoted service, and Artifact Registry', () => {
    expect(bearerChallenge(parseWwwAuthenticate('Bearer realm="https://gcr.io/v2/token",service=gcr.io'))).toEqual({
      realm: 'https://gcr.io/v2/token',
      service: 'gcr.io',
      scopes: [],
    });
    expect(
      bearerChallenge(parseWwwAuthenticate('Bearer realm="https://europe-west1-docker.pkg.dev/v2/token",service="europe-west1-docker.pkg.dev"')),
    ).toEqual({ realm: 'https://europe-west1-docker.pkg.dev/v2/token', service: 'europe-west1-docker.pkg.dev', scopes: [] });
  });

  it('distribution 2.8 with htpasswd', () => {
    expect(parseWwwAuthenticate('Basic realm="basic-realm"')).toEqual([{ scheme: 'basic', params: { realm: 'basic-realm' } }]);
  });
});

describe('parseWwwAuthenticate: grammar edge cases', () => {
  it('accepts a lower-case scheme and parameter names in any case', () => {
    const [ch] = parseWwwAuthenticate('bearer Realm="https://r/token", SERVICE="svc"');
    expect(ch).toEqual({ scheme: 'bearer', params: { realm: 'https://r/token', service: 'svc' } });
  });

  it('accepts unquoted values everywhere', () => {
    const [ch] = parseWwwAuthenticate('Bearer realm=https://r.example/token,service=registry.example,scope=repository:a/b:pull');
    expect(ch!.params).toEqual({ realm: 'https://r.example/token', service: 'registry.example', scope: 'repository:a/b:pull' });
  });

  it('keeps commas inside quoted values and unescapes quotes and backslashes', () => {
    const [ch] = parseWwwAuthenticate('Bearer realm="a, \\"quoted\\" realm\\\\x",scope="repository:a:pull,push,delete"');
    expect(ch!.params.realm).toBe('a, "quoted" realm\\x');
    expect(ch!.params.scope).toBe('repository:a:pull,push,delete');
  });

  it('treats an unquoted value followed by a bare action as one value (pull,push)', () => {
    const b = bearerChallenge(parseWwwAuthenticate('Bearer realm="https://t/token",scope=repository:a:pull,push,service="s"'));
    expect(b).toEqual({ realm: 'https://t/token', service: 's', scopes: ['repository:a:pull,push'] });
  });

  it('splits a scope with several space-separated entries, dropping duplicates', () => {
    const b = bearerChallenge(
      parseWwwAuthenticate('Bearer realm="https://t/token",service="s",scope="repository:a:pull repository:b:pull,push  registry:catalog:* repository:a:pull"'),
    );
    expect(b?.scopes).toEqual(['repository:a:pull', 'repository:b:pull,push', 'registry:catalog:*']);
  });

  it('joins repeated scope parameters', () => {
    const b = bearerChallenge(parseWwwAuthenticate('Bearer realm="r",scope="repository:a:pull",scope="repository:b:push"'));
    expect(b?.scopes).toEqual(['repository:a:pull', 'repository:b:push']);
  });

  it('reads error and error_description', () => {
    const b = bearerChallenge(
      parseWwwAuthenticate('Bearer realm="r", error="invalid_token", error_description="The access token expired"'),
    );
    expect(b?.error).toBe('invalid_token');
    expect(b?.errorDescription).toBe('The access token expired');
  });

  it('tolerates spaces around "=" and extra commas', () => {
    const list = parseWwwAuthenticate(' ,Basic realm = "x" ,, , Bearer realm= "y" , service ="z",');
    expect(list).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'y', service: 'z' } },
    ]);
  });

  it('parses token68 challenges and bare schemes', () => {
    expect(parseWwwAuthenticate('Negotiate abc+/def==, Basic realm="x"')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc+/def==' },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    expect(parseWwwAuthenticate('Negotiate, NTLM')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'ntlm', params: {} },
    ]);
  });

  it('starts a new challenge for an unknown scheme followed by parameters', () => {
    const list = parseWwwAuthenticate('Bearer realm=x, Custom realm="y"');
    expect(list.map((c) => [c.scheme, c.params.realm])).toEqual([
      ['bearer', 'x'],
      ['custom', 'y'],
    ]);
  });

  it('accepts several header lines', () => {
    const list = parseWwwAuthenticate(['Basic realm="a"', 'Bearer realm="b",service="c"']);
    expect(list.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(findChallenge(list, 'bearer')?.params.service).toBe('c');
  });

  it('survives junk without throwing', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate('"')).toEqual([]);
    expect(parseWwwAuthenticate('Bearer realm="unterminated')).toEqual([{ scheme: 'bearer', params: { realm: 'unterminated' } }]);
    expect(bearerChallenge(parseWwwAuthenticate('Bearer service="x"'))).toBeNull();
  });
});

describe('scopes', () => {
  it('parses names that contain a port and a resource class', () => {
    expect(parseScope('repository:localhost:5000/app:pull,push')).toEqual({ type: 'repository', name: 'localhost:5000/app', actions: ['pull', 'push'] });
    expect(parseScope('repository(plugin):vieux/sshfs:pull')).toEqual({
      type: 'repository',
      resourceClass: 'plugin',
      name: 'vieux/sshfs',
      actions: ['pull'],
    });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('nonsense')).toBeNull();
    expect(parseScope('repository::pull')).toBeNull();
  });

  it('formats what it parses', () => {
    for (const s of ['repository:a/b:pull,push', 'repository(plugin):x:pull', 'registry:catalog:*']) expect(formatScope(parseScope(s)!)).toBe(s);
    expect(repositoryScope('a/b', ['pull', 'delete'])).toBe('repository:a/b:pull,delete');
  });

  it('merges actions on the same resource', () => {
    expect(mergeScopes(['repository:a:pull', 'repository:b:pull', 'repository:a:push,pull', 'weird'])).toEqual([
      'repository:a:pull,push',
      'repository:b:pull',
      'weird',
    ]);
  });
});
