import { describe, expect, it } from 'vitest';
import { parseWerfConfig } from './index';
import { META, parse, where, withMeta } from './test-helpers';

/** Bad input gives exactly one clear problem, quickly, and never throws. */
function single(text: string, maxBytes?: number): { code: string; line: number; column: number; message: string; ms: number } {
  const start = performance.now();
  const { problems, config } = parseWerfConfig(text, { file: 'werf.yaml', ...(maxBytes ? { maxBytes } : {}) });
  const ms = performance.now() - start;
  expect(problems, JSON.stringify(problems)).toHaveLength(1);
  expect(config.images).toEqual([]);
  const p = problems[0];
  return { code: p.code, line: p.location?.line ?? 0, column: p.location?.column ?? 0, message: p.message, ms };
}

describe('bad input', () => {
  it('reports unparsable YAML with the position the yaml library gives', () => {
    const text = withMeta('image: a', 'from: alpine', 'shell:', '  install: ls', ' setup: x');
    expect(where(text)).toEqual([['yaml-syntax', 8, 1]]);
    expect(parse(text).problems[0].message).toMatch(/^YAML syntax error: /);
    // An unclosed quote or bracket is reported at its opening character, not at the end of the document.
    expect(where(withMeta('image: a', 'from: "alpine', '---', 'image: b', 'from: c'))).toEqual([['yaml-syntax', 5, 7]]);
    expect(where(withMeta('image: a', 'from: alpine', 'platform: [linux/amd64, {x: 1}', '---', 'image: b', 'from: c'))).toEqual([['yaml-syntax', 6, 11]]);
  });

  it('reports duplicate keys as go-yaml does', () => {
    const text = withMeta('image: a', 'from: alpine', 'from: debian');
    expect(where(text)).toEqual([['duplicate-key', 6, 1]]);
    expect(parse(text).problems[0].message).toBe('mapping key `from` already defined');
  });

  it('does not treat `on` and `true` as the same key (go-yaml compares key text)', () => {
    const { config, problems } = parse(withMeta('image: a', 'dockerfile: Dockerfile', 'args:', '  on: 1', '  true: 2'));
    expect(problems).toEqual([]);
    expect(config.images[0].args).toEqual({ on: '1', true: '2' });
  });

  it('stops a "billion laughs" alias bomb quickly', () => {
    let text = `${META}---\nlol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n`;
    for (let i = 1; i < 12; i++) text += `lol${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    text += 'image: *a11\n';
    const r = single(text);
    expect(r.code).toBe('yaml-alias-limit');
    expect(r.line).toBe(5);
    expect(r.ms).toBeLessThan(500);
  });

  it('rejects an alias that contains itself', () => {
    expect(single(`${META}---\nimage: &x [*x]\nfrom: a\n`).code).toBe('yaml-alias-cycle');
  });

  it('refuses absurdly deep nesting without asking the yaml library', () => {
    const r = single(`${META}---\nimage: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`);
    expect(r.code).toBe('yaml-too-deep');
    expect(r.line).toBe(4);
    expect(r.ms).toBeLessThan(500);
  });

  it('handles deep block nesting', () => {
    let text = `${META}---\n`;
    for (let i = 0; i < 400; i++) text += `${' '.repeat(i)}k${i}:\n`;
    const r = parseWerfConfig(text, { file: 'werf.yaml' });
    expect(r.problems.length).toBeGreaterThan(0);
  });

  it('does not hand a huge document with unusual YAML to the slow reader', () => {
    const text = `${META}---\nimage: &n a\nfrom: alpine\nplatform:\n${'- linux/amd64\n'.repeat(50_000)}`;
    const r = single(text);
    expect(r).toMatchObject({ code: 'yaml-too-complex', line: 4, column: 1 });
    expect(r.ms).toBeLessThan(1000);
  });

  it('turns an unexpected exception into one internal-error problem instead of throwing', () => {
    const opts = {
      file: 'werf.yaml',
      get maxBytes(): number {
        throw new Error('boom');
      },
    };
    const r = parseWerfConfig(META, opts);
    expect(r.problems).toEqual([
      expect.objectContaining({ code: 'internal-error', message: 'werf.yaml could not be checked: boom', location: { file: 'werf.yaml', line: 1, column: 1 } }),
    ]);
  });

  it('rejects binary files (NUL bytes) at the first NUL', () => {
    const r = single('configVersion: 1\nproject: x\u0000\u0001\u0002');
    expect(r).toMatchObject({ code: 'binary-file', line: 2, column: 11 });
  });

  it('rejects text that was not valid UTF-8', () => {
    expect(single('configVersion: 1\nproject: d\ufffdmo\n')).toMatchObject({ code: 'invalid-text', line: 2, column: 11 });
  });

  it('rejects files over maxBytes, naming the size and the limit', () => {
    const big = single(`${META}# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    expect(big.code).toBe('file-too-large');
    expect(big.message).toBe('werf.yaml is 5 MiB, over the 4 MiB limit');
    const small = single(`${META}# ${'é'.repeat(600)}\n`, 1024);
    expect(small.message).toBe('werf.yaml is 1.2 KiB, over the 1 KiB limit');
  });

  it.each([[''], ['\n\n'], ['# only a comment\n---\n   \n']])('reports an empty file: %j', (text) => {
    expect(single(text)).toMatchObject({ code: 'empty-config', line: 1, column: 1 });
  });

  it('stays fast on huge generated files (big maps, thousands of broken references, dense cycles)', () => {
    const cases = [
      `${META}---\nimage: a\ndockerfile: D\nargs:\n${Array.from({ length: 50_000 }, (_, i) => `  K${i}: v`).join('\n')}\n`,
      META + Array.from({ length: 10_000 }, (_, i) => `---\nimage: i${i}\nfromImage: missing${i}`).join('\n'),
      META +
        Array.from({ length: 1000 }, (_, i) => {
          const deps = Array.from({ length: 10 }, (_, j) => `- image: i${(i + j + 1) % 1000}\n  after: install`).join('\n');
          return `---\nimage: i${i}\nfrom: a\ndependencies:\n${deps}`;
        }).join('\n'),
    ];
    for (const text of cases) {
      const t = performance.now();
      const r = parseWerfConfig(text, { file: 'werf.yaml' });
      expect(performance.now() - t).toBeLessThan(3000);
      expect(r.problems.every((p) => p.code !== 'internal-error')).toBe(true);
    }
  });

  it('survives random garbage without throwing', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['image: a\n', 'from: b\n', '---\n', ':', '- ', '  ', '[', ']', '{', '}', '"', "'", '&x ', '*x', '<<: ', '|\n', '#', '\t', 'configVersion: 1\n', 'project: p\n', 'git:\n', '- add: /\n', '\r\n', 'é', '!!str '];
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const n = 1 + rand(30);
      for (let j = 0; j < n; j++) text += pieces[rand(pieces.length)];
      const r = parseWerfConfig(text, { file: 'werf.yaml' });
      expect(r.problems.every((p) => p.code !== 'internal-error'), text).toBe(true);
    }
  });
});

function generated(images: number): string {
  const docs = [
    'configVersion: 1\nproject: big\ncleanup:\n  keepPolicies:\n  - references:\n      branch: /.*/\n      limit:\n        last: 10\n        in: 168h',
  ];
  for (let i = 0; i < images; i++) {
    if (i % 3 === 0) {
      docs.push(`image: service-${i}\ndockerfile: services/${i}/Dockerfile\ncontext: services/${i}\ntarget: runtime\nargs:\n  VERSION: "1.${i}"`);
    } else {
      docs.push(
        [
          `image: app-${i}`,
          'from: alpine:3.20',
          'git:',
          `- add: /src/${i}`,
          '  to: /app',
          '  stageDependencies:',
          '    install: ["package.json"]',
          'shell:',
          '  install:',
          '  - npm ci',
          '  setup: |',
          '    npm run build',
          '    npm test',
          'import:',
          `- image: service-${i - (i % 3)}`,
          '  add: /out',
          '  after: install',
        ].join('\n'),
      );
    }
  }
  return `${docs.join('\n---\n')}\n`;
}

// Speed is measured by `npm run bench` (parse + preview of this generated config), not by timed tests.
describe('large configs', () => {
  it('parses a generated 300-image werf.yaml completely', () => {
    const first = parseWerfConfig(generated(300), { file: 'werf.yaml' });
    expect(first.problems).toEqual([]);
    expect(first.config.images).toHaveLength(300);
  });

  it('parses 1,200 images with the fast reader and the library agreeing on the count', () => {
    const result = parseWerfConfig(generated(1200), { file: 'werf.yaml' });
    expect(result.config.images).toHaveLength(1200);
  });
});
