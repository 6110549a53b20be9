import { describe, expect, it } from 'vitest';

import { murmur3_32, murmur3_32String } from './murmur3';
import {
  DEFAULT_SLUG_MAX_SIZE,
  DOCKER_TAG_MAX_SIZE,
  HELM_RELEASE_MAX_SIZE,
  KUBERNETES_NAMESPACE_MAX_SIZE,
  PROJECT_NAME_MAX_SIZE,
  dockerTag,
  helmRelease,
  isValidDockerTag,
  isValidHelmRelease,
  isValidKubernetesNamespace,
  isValidProjectName,
  kubernetesNamespace,
  limitedSlug,
  projectSlug,
  slug,
  slugHash,
  slugify,
} from './slug';
import { SLUG_TABLE, SLUG_TABLE_SIZE } from './slug-table';

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

// Vectors from werf's own slug_test.go and from docs §5.3; they pin the hash, its formatting,
// the crop arithmetic and the wrappers' validity checks at once.
describe('werf test vectors', () => {
  it.each([
    ['limitedSlug', 'A', limitedSlug, 'a-54dcf7ce'],
    ['limitedSlug', '-data', limitedSlug, 'data-a871d86e'],
    ['dockerTag', '-data', dockerTag, 'data-a871d86e'],
    ['helmRelease', '-data', helmRelease, 'data-a871d86e'],
    ['dockerTag', 'da/ta', dockerTag, 'da-ta-afa96f8'],
    ['helmRelease', 'da/ta', helmRelease, 'da-ta-afa96f8'],
    ['kubernetesNamespace', 'da_ta', kubernetesNamespace, 'da-ta-3b339d14'],
    ['kubernetesNamespace', 'branch/one/!@#4.4-3', kubernetesNamespace, 'branch-one-4-4-3-4fe08955'],
    ['kubernetesNamespace', 'My_branch', kubernetesNamespace, 'my-branch-8ebf2d1d'],
    ['dockerTag', 'helo/ehlo', dockerTag, 'helo-ehlo-b6f6ab1f'],
    ['dockerTag', '16.04', dockerTag, '16.04'],
  ] as const)('%s(%j) → %j', (_name, input, fn, expected) => {
    expect(fn(input)).toBe(expected);
  });

  it('keeps the hash unpadded: da/ta hashes to 0x0afa96f8, printed as 7 chars', () => {
    expect(murmur3_32String('da/ta')).toBe(0x0afa96f8);
    expect(slugHash('da/ta')).toBe('afa96f8');
  });

  it.each([
    ['dockerTag', dockerTag, DOCKER_TAG_MAX_SIZE, '8cca70eb'],
    ['limitedSlug', (s: string) => limitedSlug(s), DEFAULT_SLUG_MAX_SIZE, '27e2f02f'],
    ['helmRelease', helmRelease, HELM_RELEASE_MAX_SIZE, '18c5dfb9'],
    ['kubernetesNamespace', kubernetesNamespace, KUBERNETES_NAMESPACE_MAX_SIZE, 'afd4efcd'],
  ] as const)('%s crops max+1 × "x" to exactly max', (_name, fn, max, hash) => {
    const out = fn('x'.repeat(max + 1));
    expect(out).toBe(`${'x'.repeat(max - hash.length - 1)}-${hash}`);
    expect(out).toHaveLength(max);
  });

  it('dockerTag of 129 × x is 119 × x + -8cca70eb', () => {
    expect(dockerTag('x'.repeat(129))).toBe(`${'x'.repeat(119)}-8cca70eb`);
  });

  it('slugs a dotted name that later werf would reject as a namespace label', () => {
    // werf ≥1.2 tests this via KubernetesNamespace; in v1.1 a dotted namespace is valid, so
    // the same expected value is checked through slug() directly.
    expect(slug('kubernetes.namespace', KUBERNETES_NAMESPACE_MAX_SIZE)).toBe(
      'kubernetes-namespace-1507f75c',
    );
  });
});

describe('crop bug (kept for parity)', () => {
  it.each([
    [
      'postgres-feature-31981-change-delivery-date-del-result',
      'postgres-feature-31981-change-delivery--852739dc',
    ],
    [
      'php_fpm_exporter-monitoring-dev-encrypt-1',
      'php-fpm-exporter-monitoring-dev-encrypt--83286e5',
    ],
  ])('limitedSlug(%j, 48) → %j with a double dash', (input, expected) => {
    expect(limitedSlug(input, 48)).toBe(expected);
    expect(slug(input, 48)).toBe(expected);
  });

  it('crops to max - len(hash) - 1, so a 7-char hash leaves one more slug char', () => {
    const input = 'php_fpm_exporter-monitoring-dev-encrypt-1';
    expect(slugHash(input)).toHaveLength(7);
    expect(slug(input, 48)).toHaveLength(48);
  });
});

describe('murmur3_32', () => {
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['hello', 0, 0x248bfa47],
    ['abc', 0, 0xb3dd93fa],
    ['Hello, world!', 0, 0xc0363e43],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ] as const)('string %j seed %d', (input, seed, expected) => {
    expect(murmur3_32(new TextEncoder().encode(input), seed)).toBe(expected);
    expect(murmur3_32String(input, seed)).toBe(expected);
  });

  it.each([
    [[0x00, 0x00, 0x00, 0x00], 0, 0x2362f9de],
    [[0x21, 0x43, 0x65, 0x87], 0, 0xf55b516b],
    [[0x21, 0x43, 0x65, 0x87], 0x5082edee, 0x2362f9de],
    [[0x21, 0x43, 0x65], 0, 0x7e4a8634],
    [[0x21, 0x43], 0, 0xa0f7b07a],
    [[0x21], 0, 0x72661cf4],
    [[0xff, 0xff, 0xff, 0xff], 0, 0x76293b50],
  ] as const)('bytes %j seed %d', (bytes, seed, expected) => {
    expect(murmur3_32(Uint8Array.from(bytes), seed)).toBe(expected);
  });

  it('always returns an unsigned 32-bit integer', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'x'.repeat(1000), '\u{1F680}']) {
      const h = murmur3_32String(s);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 32);
    }
  });
});

// Expected hashes for non-ASCII input were computed with an independent Python MurmurHash3
// over the same UTF-8 bytes (the same script reproduces every werf vector above).
describe('multi-byte UTF-8 input', () => {
  it.each([
    ['Привет, мир', 20, dockerTag, 'privyet-mir-e87b792c'],
    ['Straße/Ünïcødé', 19, dockerTag, 'strabe-unicode-887ec7c6'],
    ['ветка/фича-1', 21, kubernetesNamespace, 'vyetka-ficha-1-2cb26373'],
    ['\u{1F680} rocket', 11, helmRelease, 'rocket-c5c49ac6'],
    ['Feature/JIRA-123_add Ünïcode', 30, dockerTag, 'feature-jira-123-add-unicode-5d2d339f'],
    ['Щука ёж', 13, kubernetesNamespace, 'shchuka-yozh-8efff7a8'],
  ] as const)('%j (%d bytes) → %j', (input, bytes, fn, expected) => {
    // Pins the exact code points, so an editor normalising this file would fail loudly.
    expect(utf8Length(input)).toBe(bytes);
    expect(fn(input)).toBe(expected);
  });

  it('hashes the original string, not the slug', () => {
    expect(slugHash('Привет, мир')).toBe('e87b792c');
    expect(slugHash('privyet-mir')).not.toBe('e87b792c');
  });

  it('yields only the hash when nothing survives slugify', () => {
    expect(slug('!!!', 63)).toBe('4e4955fc');
    expect(dockerTag('!!!')).toBe('4e4955fc');
    expect(slug('', 63)).toBe('0');
  });
});

describe('slugify', () => {
  it('keeps digits and lower-cases ASCII letters', () => {
    expect(slugify('ABCxyz0123456789')).toBe('abcxyz0123456789');
  });

  it('maps the separator set to "-"', () => {
    for (const ch of '&(){}[]-_,.;:=+<>~/ \uFF3F\uFF5E') {
      expect(slugify(`a${ch}b`), JSON.stringify(ch)).toBe('a-b');
    }
  });

  it('drops runes the table does not know', () => {
    expect(slugify(`a@#!?*'"$%^|\\b`)).toBe('ab');
    expect(slugify('日本語')).toBe('');
    expect(slugify('a\u{1F680}b')).toBe('ab');
    expect(slugify('a\uD800b')).toBe('ab');
  });

  it('skips leading and repeated dashes and removes a trailing one', () => {
    expect(slugify('--a--b--')).toBe('a-b');
    expect(slugify('/ _.a/_ .b._/ ')).toBe('a-b');
    expect(slugify('---')).toBe('');
    expect(slugify('a-@-b')).toBe('a-b');
  });

  it('de-accents Latin-1 and Latin Extended letters', () => {
    expect(slugify('ß')).toBe('b');
    expect(slugify('Æ')).toBe('ae');
    expect(slugify('Crème Brûlée')).toBe('creme-brulee');
    expect(slugify('Łódź')).toBe('lodz');
    expect(slugify('Œuvre')).toBe('oeuvre');
    expect(slugify('ǅ')).toBe('dz');
    expect(slugify('Þór')).toBe('thor');
  });

  it('transliterates Cyrillic as werf does', () => {
    expect(slugify('щ')).toBe('shch');
    expect(slugify('Е')).toBe('ye');
    expect(slugify('объект')).toBe('obyekt');
    expect(slugify('Мышь')).toBe('mysh');
    expect(slugify('Юля Ёлкина')).toBe('yulya-yolkina');
    expect(slugify('Цой')).toBe('coj');
  });

  it('folds circled, parenthesized and fullwidth letters', () => {
    expect(slugify('ⒶⓑⒸ')).toBe('abc');
    expect(slugify('⒜⒝')).toBe('ab');
    expect(slugify('⒑')).toBe('10');
    expect(slugify('ＡＢＣｄｅｆ')).toBe('abcdef');
    expect(slugify('™')).toBe('tm');
  });

  it('keeps ъ/ь from acting as a separator or breaking dash collapsing', () => {
    expect(slugify('ь-ъ-a')).toBe('a');
    expect(slugify('a-ъ-b')).toBe('a-b');
    expect(slugify('a-ъ')).toBe('a');
  });

  it('is idempotent', () => {
    for (const s of ['My_branch', 'Привет, мир', '--x--', 'a.b.c']) {
      expect(slugify(slugify(s))).toBe(slugify(s));
    }
  });
});

describe('transliteration table', () => {
  it('has the 971 entries of werf map.go', () => {
    expect(SLUG_TABLE.size).toBe(SLUG_TABLE_SIZE);
    expect(SLUG_TABLE_SIZE).toBe(971);
  });

  it('has single-code-point keys and ASCII slug values', () => {
    for (const [key, value] of SLUG_TABLE) {
      expect([...key]).toHaveLength(1);
      expect(value).toMatch(/^(?:[a-z0-9]+|-|)$/);
    }
  });

  it('keeps the compatibility signs distinct from the letters they resemble', () => {
    expect(SLUG_TABLE.get('\u212A')).toBe('k');
    expect(SLUG_TABLE.get('\u212B')).toBe('a');
    expect(SLUG_TABLE.get('K')).toBe('k');
    expect(SLUG_TABLE.get('\u00C5')).toBe('a');
  });

  it.each([
    ['ъ', ''],
    ['ь', ''],
    ['е', 'ye'],
    ['й', 'j'],
    ['х', 'h'],
    ['İ', 'l'],
    ['µ', 'u'],
    ['²', '2'],
    ['℡', 'tel'],
    ['⓪', '0'],
  ])('maps %j to %j', (key, value) => {
    expect(SLUG_TABLE.get(key)).toBe(value);
  });
});

describe('wrappers return valid input unchanged', () => {
  it('returns "" from every wrapper', () => {
    for (const fn of [dockerTag, kubernetesNamespace, helmRelease, projectSlug, limitedSlug]) {
      expect(fn('')).toBe('');
    }
  });

  it('dockerTag allows upper case, "_" and "." (ASCII \\w) up to 128 chars', () => {
    for (const tag of ['v1.2.3', 'Latest_Build', 'a', '_x', '16.04', 'x'.repeat(128)]) {
      expect(isValidDockerTag(tag)).toBe(true);
      expect(dockerTag(tag)).toBe(tag);
    }
  });

  it('dockerTag slugs what docker would reject', () => {
    for (const tag of ['.x', '-x', 'a/b', 'a b', 'é', 'x'.repeat(129), 'a\n']) {
      expect(isValidDockerTag(tag)).toBe(false);
    }
    expect(dockerTag('a b')).toBe(`a-b-${slugHash('a b')}`);
  });

  it('kubernetesNamespace accepts DNS-1123 subdomains up to 63 chars', () => {
    for (const ns of ['data', 'a.b-c', 'x'.repeat(63), '0']) {
      expect(isValidKubernetesNamespace(ns)).toBe(true);
      expect(kubernetesNamespace(ns)).toBe(ns);
    }
    for (const ns of ['Data', 'a..b', '-a', 'a-', 'a_b', 'x'.repeat(64)]) {
      expect(isValidKubernetesNamespace(ns)).toBe(false);
    }
  });

  it('helmRelease accepts DNS-1123 subdomains up to 53 chars', () => {
    for (const name of ['data', 'release.name', 'x'.repeat(53)]) {
      expect(isValidHelmRelease(name)).toBe(true);
      expect(helmRelease(name)).toBe(name);
    }
    for (const name of ['Release', 'rel_ease', '.a', 'x'.repeat(54)]) {
      expect(isValidHelmRelease(name)).toBe(false);
    }
  });

  it('limitedSlug passes slugs strictly shorter than max', () => {
    expect(limitedSlug('data')).toBe('data');
    expect(limitedSlug('x'.repeat(41))).toBe('x'.repeat(41));
    // v1.1 uses "<", so a valid slug of exactly max chars is still re-slugged.
    expect(limitedSlug('x'.repeat(42))).toBe(`${'x'.repeat(42 - 9)}-${slugHash('x'.repeat(42))}`);
    expect(limitedSlug('abc', 4)).toBe('abc');
  });

  it('slug output is itself stable under the wrapper that made it', () => {
    for (const input of ['-data', 'da/ta', 'My_branch', 'Привет, мир', 'x'.repeat(200)]) {
      const tag = dockerTag(input);
      expect(dockerTag(tag)).toBe(tag);
      const ns = kubernetesNamespace(input);
      expect(kubernetesNamespace(ns)).toBe(ns);
      const rel = helmRelease(input);
      expect(helmRelease(rel)).toBe(rel);
    }
  });
});

describe('projectSlug', () => {
  it('keeps valid project names', () => {
    for (const name of ['my-app', 'a', '0', 'x'.repeat(50)]) {
      expect(isValidProjectName(name)).toBe(true);
      expect(projectSlug(name)).toBe(name);
    }
  });

  it('slugifies invalid names without a hash', () => {
    expect(projectSlug('My Project')).toBe('my-project');
    expect(projectSlug('-abc-')).toBe('abc');
    expect(projectSlug('Проект')).toBe('proyekt');
  });

  it('truncates to 50 chars, even when that ends on "-" (as werf)', () => {
    expect(projectSlug('x'.repeat(51))).toBe('x'.repeat(50));
    expect(projectSlug(`${'a'.repeat(49)}_b`)).toBe(`${'a'.repeat(49)}-`);
    expect(PROJECT_NAME_MAX_SIZE).toBe(50);
  });
});

describe('slug arguments', () => {
  it('rejects a max that leaves no room for the hash when there is text to crop', () => {
    expect(() => slug('abc', 5)).toThrow(RangeError);
    expect(() => slug('abc', 1.5)).toThrow(RangeError);
  });

  it('accepts a max that leaves exactly no room for text (werf yields "-<hash>")', () => {
    const hash = slugHash('abc');
    expect(slug('abc', hash.length + 1)).toBe(`-${hash}`);
  });
});
