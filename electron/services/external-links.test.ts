import { describe, expect, it } from 'vitest';
import { CREDENTIAL_GUIDES } from '../../shared/credentials/guides';
import { CATALOGUE, DOC_HOSTS } from '../../shared/registry/catalogue';
import { allowedExternalUrl } from './external-links';

const allowed = (url: string): boolean => allowedExternalUrl(url) !== null;

describe('allowedExternalUrl', () => {
  it('allows https links to every documentation host (github.com excepted: it hosts anyone\'s pages)', () => {
    expect(DOC_HOSTS.length).toBeGreaterThan(0);
    for (const host of DOC_HOSTS.filter((h) => h !== 'github.com')) {
      expect(allowed(`https://${host}/`), host).toBe(true);
      expect(allowed(`https://${host}/some/page?x=1#frag`), host).toBe(true);
    }
  });

  it('allows werf.io, and on github.com only the documentation pages the app links to', () => {
    expect(allowed('https://werf.io/docs/v2/usage/cleanup/cr_cleanup.html')).toBe(true);
    for (const url of [...Object.values(CATALOGUE).flatMap((i) => i.docs), ...Object.values(CREDENTIAL_GUIDES).flatMap((g) => [g.createAt, ...g.docs])].map((d) => d.url)) {
      expect(allowed(url), url).toBe(true);
    }
    expect(allowed('https://github.com/distribution/distribution/blob/main/docs/content/about/configuration.md#auth')).toBe(true);
    expect(allowed('https://github.com/werf/werf')).toBe(false);
    expect(allowed('https://github.com/attacker/payload/releases/download/v1/setup.sh')).toBe(false);
    expect(allowed('https://github.com/distribution/distribution/blob/main/docs/content/about/configuration.md/../../../../attacker')).toBe(false);
    expect(allowed('https://gist.github.com/anyone')).toBe(false);
  });

  it('accepts the forms URL parsing normalizes to the same https host', () => {
    expect(allowed('HTTPS://DOCS.DOCKER.COM/security/access-tokens/')).toBe(true);
    expect(allowed('https://docs.docker.com:443/x')).toBe(true);
  });

  it.each([
    ['http', 'http://docs.docker.com/'],
    ['javascript', 'javascript:alert(1)'],
    ['javascript with a doc host inside', 'javascript://docs.docker.com/%0aalert(1)'],
    ['file', 'file:///etc/passwd'],
    ['file with a doc host', 'file://docs.docker.com/etc/passwd'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['ftp', 'ftp://docs.docker.com/'],
    ['ws', 'wss://docs.docker.com/'],
    ['custom scheme', 'vscode://docs.docker.com/'],
    ['protocol-relative', '//docs.docker.com/'],
    ['relative', '/docs'],
    ['empty', ''],
    ['garbage', 'not a url'],
  ])('refuses %s: %s', (_name, url) => {
    expect(allowed(url)).toBe(false);
  });

  it.each([
    ['doc host as user name', 'https://docs.docker.com@evil.example/'],
    ['doc host as user and password', 'https://docs.docker.com:443@evil.example/'],
    ['credentials on an allowed host', 'https://user:pass@docs.docker.com/'],
    ['user name on an allowed host', 'https://user@docs.docker.com/'],
    ['password only on an allowed host', 'https://:secret@docs.docker.com/'],
    ['encoded at sign', 'https://docs.docker.com%40evil.example/'],
  ])('refuses userinfo tricks (%s)', (_name, url) => {
    expect(allowed(url)).toBe(false);
  });

  it.each([
    'https://docs.docker.com.evil.example/',
    'https://evil-docs.docker.com/',
    'https://evil.docs.docker.com/',
    'https://docsdocker.com/',
    'https://docs.docker.co/',
    'https://xdocs.docker.com/',
    'https://github.com.evil.example/',
    'https://gist.github.com/',
    'https://evil.werf.io/',
    'https://werf.io.evil.example/',
    'https://docs.docker.com./',
    // Cyrillic "о" in place of the Latin "o": a punycode host, not docs.docker.com.
    'https://d\u043ecs.docker.com/',
  ])('refuses the look-alike host %s', (url) => {
    expect(allowed(url)).toBe(false);
  });

  it.each(['https://127.0.0.1/', 'https://10.0.0.1/docs', 'https://[::1]/', 'https://2130706433/', 'https://0x7f.0.0.1/', 'https://[::ffff:127.0.0.1]/'])('refuses the IP literal %s', (url) => {
    expect(allowed(url)).toBe(false);
  });

  it('refuses non-default ports on allowed hosts', () => {
    expect(allowed('https://docs.docker.com:8443/')).toBe(false);
    expect(allowed('https://github.com:80/')).toBe(false);
  });

  it.each(['https://example.com/', 'https://hub.docker.com/', 'https://docker.com/', 'https://raw.githubusercontent.com/x', 'https://localhost/', 'https://registry.example.com/v2/'])(
    'refuses the host %s that is not allowlisted',
    (url) => {
      expect(allowed(url)).toBe(false);
    },
  );
});

describe('what reaches the system browser', () => {
  it('is the URL as parsed and checked, not the raw string', () => {
    expect(allowedExternalUrl(' https://werf.io/x')).toBe('https://werf.io/x');
    expect(allowedExternalUrl('https://DOCS.docker.com:443/a/../b')).toBe('https://docs.docker.com/b');
    expect(allowedExternalUrl('https:\\\\werf.io\\docs')).toBe('https://werf.io/docs');
  });
});
