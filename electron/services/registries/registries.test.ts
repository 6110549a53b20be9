import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../shared/registry/catalogue';
import { IMPLEMENTATIONS } from '../../../shared/registry/implementations';
import type { DriverContext } from '../inventory/types';
import { basicCredential, bearerTokenCredential } from '../registry/testing/credentials';
import { REGISTRY_DRIVERS, registryDriver } from '.';
import { quayCredentialKind } from './quay/credential';

describe('REGISTRY_DRIVERS', () => {
  it('has one driver per implementation, carrying its own catalogue entry', () => {
    expect(Object.keys(REGISTRY_DRIVERS).sort()).toEqual([...IMPLEMENTATIONS].sort());
    for (const id of IMPLEMENTATIONS) {
      expect(registryDriver(id).implementation).toBe(id);
      expect(registryDriver(id).info).toBe(CATALOGUE[id]);
      expect(typeof registryDriver(id).deleteProbe.probe).toBe('function');
    }
  });

  it('Docker Hub is decided in one place: its hosts use registry-1.docker.io, any other host stays itself', () => {
    const hub = registryDriver('dockerhub');
    for (const h of ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']) expect(hub.apiHost(h)).toBe('registry-1.docker.io');
    expect(hub.apiHost('hub-mirror.example.com')).toBe('hub-mirror.example.com');
    expect(registryDriver('default').apiHost('index.docker.io')).toBe('index.docker.io');
  });

  it('a bare token logs in as each registry expects', () => {
    expect(registryDriver('quay').tokenUser(undefined)).toBe('$oauthtoken');
    expect(registryDriver('quay').tokenUser('alice')).toBe('$oauthtoken');
    expect(registryDriver('quay').tokenUser('org+robot')).toBe('org+robot');
    expect(registryDriver('gcr').tokenUser(undefined)).toBe('oauth2accesstoken');
    expect(registryDriver('gitlab').tokenUser(undefined)).toBe('oauth2');
    expect(registryDriver('gitlab').tokenUser('ci')).toBe('ci');
    expect(registryDriver('default').tokenUser(undefined)).toBe('stowage');
  });

  it('token realms: only self-hosted kinds accept any host; Docker Hub allows auth.docker.io', () => {
    const any = IMPLEMENTATIONS.filter((id) => registryDriver(id).tokenRealmHosts('r.example.com') === 'any').sort();
    expect(any).toEqual(['default', 'gitlab']);
    expect(registryDriver('dockerhub').tokenRealmHosts('index.docker.io')).toEqual(['auth.docker.io']);
  });

  it('one Quay rule for OAuth vs robot vs password, which listing, check and login share', () => {
    expect(quayCredentialKind(null)).toBe('anonymous');
    expect(quayCredentialKind(bearerTokenCredential('quay.io', 'tok'))).toBe('oauth');
    expect(quayCredentialKind(basicCredential('quay.io', '$oauthtoken', 'tok'))).toBe('oauth');
    expect(quayCredentialKind(basicCredential('quay.io', 'org+bot', 'x'))).toBe('robot');
    expect(quayCredentialKind(basicCredential('quay.io', 'alice', 'pw'))).toBe('password');
  });
});

/**
 * Product code asks drivers and the catalogue; it does not name registries. This test lists every
 * product file outside the registry knowledge (registries/<impl>/, shared/registry/, the credential
 * guides) that still writes an implementation's name as a string, so a new one fails here.
 */
describe('no product file outside the registry knowledge names a registry', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const allowedDirs = ['electron/services/registries/', 'shared/registry/'];
  const allowedFiles = ['shared/credentials/guides.ts'];
  // Known, still to move: werf's own per-registry repo-mode resolvers and their exact error texts
  // (a registry that cannot nest and is not one of werf's three already resolves from its catalogue entry).
  const knownDebt = ['shared/naming/repo-mode.ts'];
  const names = IMPLEMENTATIONS.filter((id) => id !== 'default');
  const literal = new RegExp(`['"\`](?:${names.join('|')})['"\`]`);

  function walk(dir: string, out: string[]): string[] {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== 'testing' && entry !== 'node_modules') walk(path, out);
      } else if (/\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry) && entry !== 'fixtures.ts' && entry !== 'testing.ts') out.push(relative(root, path));
    }
    return out;
  }

  it('holds for electron/, shared/ and renderer/', () => {
    const offenders = ['electron', 'shared', 'renderer']
      .flatMap((d) => walk(join(root, d), []))
      .filter((f) => !allowedDirs.some((d) => f.startsWith(d)) && !allowedFiles.includes(f))
      .filter((f) => literal.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders.sort()).toEqual([...knownDebt].sort());
  });
});
