import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeEndpoint, resolveEngineEndpoint } from './endpoint';

const files = (map: Record<string, string>) => (path: string) => map[path] ?? null;
const home = '/home/u';

describe('the engine endpoint, found like the Docker CLI', () => {
  it('DOCKER_HOST unix, tcp, tcp with TLS files and ssh', () => {
    expect(resolveEngineEndpoint({ env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, homeDir: home, readText: files({}) })).toEqual({ kind: 'unix', socketPath: '/run/user/1000/docker.sock', source: 'DOCKER_HOST' });
    expect(resolveEngineEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' }, homeDir: home, readText: files({}) })).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: 2375, tls: null });
    const tls = resolveEngineEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, homeDir: home, readText: files({ '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' }) });
    expect(tls).toMatchObject({ kind: 'tcp', port: 2376, tls: { ca: 'CA', cert: 'CERT', key: 'KEY', verify: true } });
    // DOCKER_TLS alone is docker --tls: encrypted, the engine not verified, client files still used.
    const unverified = resolveEngineEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1', DOCKER_TLS: '1', DOCKER_CERT_PATH: '/certs' }, homeDir: home, readText: files({ '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' }) });
    expect(unverified).toMatchObject({ kind: 'tcp', port: 2376, tls: { cert: 'CERT', key: 'KEY', verify: false } });
    expect(describeEndpoint(unverified)).toBe('tcp://127.0.0.1:2376 (TLS, not verified)');
    // An empty DOCKER_TLS_VERIFY is unset, as for the CLI.
    expect(resolveEngineEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1', DOCKER_TLS_VERIFY: '' }, homeDir: home, readText: files({}) })).toMatchObject({ port: 2375, tls: null });
    const ssh = resolveEngineEndpoint({ env: { DOCKER_HOST: 'ssh://deploy@127.0.0.1:2222' }, homeDir: home, readText: files({}) });
    expect(ssh).toEqual({ kind: 'ssh', host: '127.0.0.1', port: 2222, username: 'deploy', source: 'DOCKER_HOST' });
    expect(describeEndpoint(ssh)).toBe('ssh://deploy@127.0.0.1:2222');
  });

  it('the current context of config.json, through its meta.json', () => {
    const id = createHash('sha256').update('remote').digest('hex');
    const read = files({
      [`${home}/.docker/config.json`]: JSON.stringify({ currentContext: 'remote' }),
      [`${home}/.docker/contexts/meta/${id}/meta.json`]: JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'tcp://127.0.0.1:2376', SkipTLSVerify: false } } }),
      [`${home}/.docker/contexts/tls/${id}/docker/ca.pem`]: 'CA',
    });
    expect(resolveEngineEndpoint({ env: {}, homeDir: home, readText: read })).toMatchObject({ kind: 'tcp', port: 2376, source: 'context "remote"', tls: { ca: 'CA', verify: true } });
    // DOCKER_CONTEXT wins over config.json; "default" is the default socket.
    expect(resolveEngineEndpoint({ env: { DOCKER_CONTEXT: 'default' }, homeDir: home, readText: read })).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock', source: 'default socket' });
  });

  it('a context that is not described is an error with the fix', () => {
    const read = files({ [`${home}/.docker/config.json`]: JSON.stringify({ currentContext: 'gone' }) });
    expect(() => resolveEngineEndpoint({ env: {}, homeDir: home, readText: read })).toThrow(/docker context "gone"/);
  });

  it('the default socket when nothing is set', () => {
    expect(resolveEngineEndpoint({ env: {}, homeDir: home, readText: files({}) })).toMatchObject({ kind: 'unix', socketPath: '/var/run/docker.sock' });
  });
});

describe('engine errors say what to do', () => {
  it('permission denied on the default socket points at the docker group and rootless', async () => {
    const { engineUnreachable } = await import('./engine');
    const err = Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' });
    const e = engineUnreachable({ kind: 'unix', socketPath: '/var/run/docker.sock', source: 'default socket' }, err);
    expect(e.code).toBe('engine-permission-denied');
    expect(e.hint).toMatch(/docker group/);
    expect(e.hint).toMatch(/rootless/);
  });
});
