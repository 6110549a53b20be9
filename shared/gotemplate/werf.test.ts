import { describe, expect, it } from 'vitest';
import { ErrorCodes, TemplateError } from './errors';
import { checkProjectRelativePath, isTemplated, renderWerfConfig, type WerfRenderInput, type WerfTemplateHost } from './werf';
import { werfGlob } from './werf-glob';

const FILES: Record<string, string> = {
  'nginx.conf': 'server {\n  listen 80;\n}',
  'backend/werf-partial.yaml': 'image: backend\nfrom: {{ .BaseImage }}',
  'frontend/werf-partial.yaml': 'image: frontend\nfrom: {{ .BaseImage }}',
  'values.yaml': 'image:\n  from: alpine:3.20\n',
};

function host(env: Record<string, string> = {}, files: Record<string, string> = FILES): WerfTemplateHost {
  return {
    env: (n) => env[n],
    readFile: (p) => {
      if (p.startsWith('secret/')) throw { message: `reading ${p} is not allowed` };
      return files[p] ?? null;
    },
    glob: (pattern) => {
      const glob = werfGlob(pattern);
      return Object.keys(files).filter((k) => glob.test(k));
    },
    now: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
  };
}

function render(text: string, extra: Partial<WerfRenderInput> = {}) {
  return renderWerfConfig({ configFile: { name: 'werf.yaml', text }, partials: [], host: host(), ...extra });
}

function catchError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
}

describe('werf partials', () => {
  const partials = [
    { name: 'artifact/appserver.tmpl', text: 'artifact: appserver\nfrom: {{ .From }}' },
    { name: 'ansible/components.tmpl', text: '{{- define "(component) ruby" }}\n- ruby {{ .V }}{{- end }}' },
  ];
  it('are named by their path inside .werf and share defines', () => {
    const out = render('{{ include "artifact/appserver.tmpl" (dict "From" "maven") }}\n---\nsteps:{{ include "(component) ruby" (dict "V" "3.3") }}', {
      partials,
    });
    expect(out.text).toBe('artifact: appserver\nfrom: maven\n---\nsteps:\n- ruby 3.3');
  });
  it('report errors with the .werf/ path', () => {
    const e = catchError(() => render('{{ include "bad.tmpl" . }}', { partials: [{ name: 'bad.tmpl', text: 'x\n {{ fail "no" }}' }] }));
    expect(e).toMatchObject({ file: '.werf/bad.tmpl', line: 2, column: 2, code: ErrorCodes.fail });
  });
  it('honour a custom templates dir and explicit file names', () => {
    const e = catchError(() => render('x', { templatesDir: 'tmpl/', partials: [{ name: 'a.tmpl', text: '{{ nope }}' }] }));
    expect(e.file).toBe('tmpl/a.tmpl');
    const f = catchError(() => render('x', { partials: [{ name: 'a.tmpl', file: 'custom/a.tmpl', text: '{{ nope }}' }] }));
    expect(f.file).toBe('custom/a.tmpl');
  });
});

describe('.Files', () => {
  it('Get reads project files', () => {
    expect(render('{{ .Files.Get "nginx.conf" | indent 4 }}').text).toBe('    server {\n      listen 80;\n    }');
  });
  it('Get of a missing file fails the render with the file name (werf ≥ 1.2)', () => {
    const e = catchError(() => render('a: 1\nb: [{{ .Files.Get "/nope.txt" }}]'));
    expect(e).toMatchObject({ code: 'file-missing', file: 'werf.yaml', line: 2, column: 5 });
    expect(e.message).toBe('{{ .Files.Get "/nope.txt" }}: the file "nope.txt" not found in the project directory');
  });
  it('Get of a missing file gives "" and a located warning under werf 1.1 rules', () => {
    const out = render('a: 1\nb: [{{ .Files.Get "nope.txt" }}]', { werfVersion: '1.1' });
    expect(out.text).toBe('a: 1\nb: []');
    expect(out.warnings).toEqual([{ message: expect.stringContaining('nope.txt') as unknown as string, file: 'werf.yaml', line: 2, column: 5 }]);
  });
  it('resolves a leading slash inside the project, as werf joins every path onto the project dir', () => {
    expect(render('{{ .Files.Get "/nginx.conf" | len }} {{ .Files.Exists "/nginx.conf" }} {{ .Files.Exists "/Dockerfile.app" }}').text).toBe('23 true false');
    expect(render('{{ range $p, $_ := .Files.Glob "/backend/*" }}{{ $p }} {{ end }}').text).toBe('backend/werf-partial.yaml ');
    expect(render('dockerfile: {{ if .Files.Exists "/nginx.conf" }}Dockerfile.app{{ else }}Dockerfile{{ end }}').text).toBe('dockerfile: Dockerfile.app');
  });
  it('Get refuses paths that leave the project, and passes host refusals on', () => {
    expect(catchError(() => render('{{ .Files.Get "/../etc/passwd" }}'))).toMatchObject({ code: ErrorCodes.file, line: 1, column: 1 });
    expect(catchError(() => render('{{ .Files.Get "../x" }}')).message).toMatch(/outside the project/);
    expect(catchError(() => render('{{ .Files.Get "secret/key" }}')).message).toMatch(/reading secret\/key is not allowed/);
  });
  it('Glob returns a path → content map iterated in order, usable with tpl', () => {
    const text = [
      '{{ $_ := set . "BaseImage" "node:14.3" }}',
      '{{- range $path, $content := .Files.Glob "**/werf-partial.yaml" }}',
      '---',
      '# {{ $path }}',
      '{{ tpl $content $ }}',
      '{{- end }}',
    ].join('\n');
    expect(render(text).text).toBe(
      '\n---\n# backend/werf-partial.yaml\nimage: backend\nfrom: node:14.3\n---\n# frontend/werf-partial.yaml\nimage: frontend\nfrom: node:14.3',
    );
  });
  it('Glob with no matches warns (werf 1.1), fails (werf 1.2 to 2.55.3) or is empty (current werf)', () => {
    expect(render('{{ len (.Files.Glob "*.none") }}', { werfVersion: '1.1' }).warnings).toHaveLength(1);
    expect(catchError(() => render('{{ .Files.Glob "*.none" }}', { werfVersion: '2' })).message).toBe('{{ .Files.Glob "*.none" }}: no matches found');
    expect(render('{{ len (.Files.Glob "*.none") }}').text).toBe('0');
  });
  it('Glob of a folder pattern matches nested files, as werf\'s path matcher does', () => {
    const files = { 'conf/a.yaml': 'a', 'conf/sub/b.yaml': 'b', 'conf/sub/c.txt': 'c', 'other/d.yaml': 'd' };
    const keys = (pattern: string) => renderWerfConfig({ configFile: { name: 'werf.yaml', text: `{{ range $p, $_ := .Files.Glob "${pattern}" }}{{ $p }},{{ end }}` }, partials: [], host: host({}, files) }).text.split(',').filter(Boolean);
    expect(keys('conf/*')).toEqual(['conf/a.yaml', 'conf/sub/b.yaml', 'conf/sub/c.txt']);
    expect(keys('conf/*.yaml')).toEqual(['conf/a.yaml']);
    expect(keys('conf/**/*.yaml')).toEqual(['conf/a.yaml', 'conf/sub/b.yaml']);
    expect(keys('conf')).toEqual(['conf/a.yaml', 'conf/sub/b.yaml', 'conf/sub/c.txt']);
    expect(keys('*/sub')).toEqual(['conf/sub/b.yaml', 'conf/sub/c.txt']);
    expect(keys('{conf,other}/*.yaml')).toEqual(['conf/a.yaml', 'other/d.yaml']);
  });
  it('Exists and IsDir', () => {
    expect(render('{{ .Files.Exists "nginx.conf" }} {{ .Files.Exists "backend" }} {{ .Files.Exists "x" }} {{ .Files.IsDir "backend" }}').text).toBe(
      'true true false true',
    );
  });
  it('fromYaml of a file', () => {
    expect(render('{{- $values := .Files.Get "values.yaml" | fromYaml -}}\nfrom: {{ $values.image.from }}').text).toBe('from: alpine:3.20');
  });
});

describe('environment', () => {
  it('loose mode (werf 1.1): env with optional default, expandenv, reads recorded', () => {
    const out = renderWerfConfig({
      configFile: { name: 'werf.yaml', text: '{{ env "A" }}-{{ env "NOPE" }}-{{ expandenv "$B/${A}" }}-{{ env "A" }}-{{ env "NOPE" "d" }}' },
      partials: [],
      host: host({ A: 'a', B: 'b' }),
      werfVersion: '1.1',
    });
    expect(out.text).toBe('a--b/a-a-d');
    expect(out.envRead).toEqual(['A', 'B', 'NOPE']);
  });
  it('expandenv is gone since werf 1.2', () => {
    expect(catchError(() => render('{{ expandenv "$A" }}')).code).toBe(ErrorCodes.unknownFunction);
  });
  it('giterminism: unset variables need a default, expandenv is gone', () => {
    const input = (text: string): WerfRenderInput => ({ configFile: { name: 'werf.yaml', text }, partials: [], host: host({ A: 'a', E: '' }), giterminism: true });
    expect(renderWerfConfig(input('{{ env "A" }} {{ env "NOPE" "dflt" }} {{ env "E" "dflt" }}')).text).toBe('a dflt dflt');
    expect(catchError(() => renderWerfConfig(input('\n{{ env "NOPE" }}')))).toMatchObject({
      code: ErrorCodes.env,
      line: 2,
      message: 'error calling env: the environment variable "NOPE" must be set or default must be provided',
    });
    expect(catchError(() => renderWerfConfig(input('{{ expandenv "$A" }}'))).code).toBe(ErrorCodes.unknownFunction);
    expect(catchError(() => renderWerfConfig(input('{{ env "A" "b" "c" }}'))).message).toMatch(/more than 1 optional argument prohibited/);
  });
  it('.Env reports WERF_ENV only when read', () => {
    const base = { configFile: { name: 'werf.yaml', text: 'env: {{ .Env }}' }, partials: [], host: host({ WERF_ENV: 'staging' }), giterminism: true };
    expect(renderWerfConfig(base)).toMatchObject({ text: 'env: staging', envRead: ['WERF_ENV'] });
    expect(renderWerfConfig({ ...base, werfEnv: 'production' }).text).toBe('env: production');
    expect(renderWerfConfig({ ...base, configFile: { name: 'werf.yaml', text: 'x' } }).envRead).toEqual([]);
  });
});

describe('.Commit', () => {
  const commit = { hash: 'abc123', date: new Date(Date.UTC(2024, 4, 31, 9, 34, 56)), utcOffsetMinutes: 180 };
  it('exposes hash and dates like werf', () => {
    const out = render('{{ .Commit.Hash }}|{{ .Commit.Date.Unix }}|{{ .Commit.Date.Human }}', { giterminism: true, commit });
    expect(out.text).toBe('abc123|1717148096|2024-05-31 12:34:56 +0300 +0300');
  });
  it('Unix is a string that sprig math accepts', () => {
    expect(render('{{ div .Commit.Date.Unix (mul 60 60 24 30) }}', { giterminism: true, commit }).text).toBe('662');
  });
});

describe('helpers', () => {
  it('isTemplated', () => {
    expect(isTemplated('a: {{ .x }}')).toBe(true);
    expect(isTemplated('a: b')).toBe(false);
  });
  it('checkProjectRelativePath', () => {
    expect(checkProjectRelativePath('a/b.txt')).toBeNull();
    expect(checkProjectRelativePath('a/../b')).toBeNull();
    expect(checkProjectRelativePath('./x')).toBeNull();
    expect(checkProjectRelativePath('/etc/passwd')).toBeNull();
    expect(checkProjectRelativePath('/../etc/passwd')).toMatch(/outside/);
    expect(checkProjectRelativePath('C:\\Windows')).toMatch(/absolute/);
    expect(checkProjectRelativePath('..')).toMatch(/outside/);
    expect(checkProjectRelativePath('a/../../b')).toMatch(/outside/);
    expect(checkProjectRelativePath('a\\..\\..\\b')).toMatch(/outside/);
    expect(checkProjectRelativePath('')).not.toBeNull();
  });
  it('set on the root data works as in the werf docs', () => {
    expect(render('{{ $_ := set . "BaseImage" "alpine" }}from: {{ .BaseImage }}').text).toBe('from: alpine');
  });
  it('debug helpers render nothing', () => {
    expect(render('[{{ printf_debug "x %d" 1 }}{{ include_debug "t" . }}{{ tpl_debug "x" . }}]', { giterminism: true }).text).toBe('[]');
  });
});

describe('line origins: each rendered line points at the template line that wrote it', () => {
  const at = (out: { lineOrigins: (line: number) => { file: string; line: number } | undefined }, line: number) => {
    const o = out.lineOrigins(line)!;
    return `${o.file}:${o.line}`;
  };

  it('follows range bodies, printed values and unchanged includes into their partials', () => {
    const out = renderWerfConfig({
      configFile: {
        name: 'werf.yaml',
        text: ['project: p', 'configVersion: 1', '{{- range list "a" "b" }}', '---', 'image: {{ . }}', 'from: alpine', '{{- end }}', '{{ include "jobs.tmpl" . }}', '{{- include "shell.tmpl" . | nindent 2 }}'].join('\n'),
      },
      partials: [
        { name: 'jobs.tmpl', text: '---\nimage: jobs\nfrom: {{ "busybox" }}' },
        { name: 'shell.tmpl', text: 'x: 1\ny: 2' },
      ],
      host: host(),
    });
    const lines = out.text.split('\n');
    expect(out.lineOrigins(lines.length)).toBeDefined();
    expect(out.lineOrigins(lines.length + 1)).toBeUndefined();
    expect(lines[0]).toBe('project: p');
    expect(at(out, 1)).toBe('werf.yaml:1');
    // Both range iterations come from lines 4-6.
    expect(lines.slice(2, 8)).toEqual(['---', 'image: a', 'from: alpine', '---', 'image: b', 'from: alpine']);
    expect([3, 4, 5, 6, 7, 8].map((n) => at(out, n))).toEqual(['werf.yaml:4', 'werf.yaml:5', 'werf.yaml:6', 'werf.yaml:4', 'werf.yaml:5', 'werf.yaml:6']);
    // An include printed as is: its lines are the partial's.
    const jobs = lines.indexOf('image: jobs') + 1;
    expect(at(out, jobs)).toBe('.werf/jobs.tmpl:2');
    expect(at(out, jobs + 1)).toBe('.werf/jobs.tmpl:3');
    // Piped through nindent it is new text, written by the action on line 9.
    expect(at(out, lines.indexOf('  y: 2') + 1)).toBe('werf.yaml:9');
  });

  it('tpl text points at the tpl call', () => {
    const out = renderWerfConfig({ configFile: { name: 'werf.yaml', text: 'a: 1\n{{ tpl "b: {{ 2 }}\\nc: 3" . }}\n' }, partials: [], host: host() });
    expect(out.text).toBe('a: 1\nb: 2\nc: 3\n');
    expect(at(out, 3)).toBe('werf.yaml:2');
  });
});

describe('.Commit without a git commit', () => {
  it('renders <no value> and warns once, at the first read', () => {
    const out = renderWerfConfig({ configFile: { name: 'werf.yaml', text: 'a: {{ .Commit.Hash }}\nb: {{ .Commit.Date.Unix }}\n' }, partials: [], host: host() });
    expect(out.text).toBe('a: <no value>\nb: <no value>\n');
    expect(out.warnings).toEqual([expect.objectContaining({ file: 'werf.yaml', line: 1, message: expect.stringContaining('no git commit') })]);
  });
  it('stays quiet for templates that do not read it, and with a commit', () => {
    expect(renderWerfConfig({ configFile: { name: 'werf.yaml', text: 'a: 1\n' }, partials: [], host: host() }).warnings).toEqual([]);
    const out = renderWerfConfig({ configFile: { name: 'werf.yaml', text: '{{ .Commit.Hash }}' }, partials: [], host: host(), commit: { hash: 'abc', date: new Date(0) } });
    expect(out.text).toBe('abc');
    expect(out.warnings).toEqual([]);
  });
});

describe('line origins: the corner cases', () => {
  const at = (out: { lineOrigins: (line: number) => { file: string; line: number } | undefined }, line: number) => `${out.lineOrigins(line)!.file}:${out.lineOrigins(line)!.line}`;

  it('a literal that happens to equal an include result keeps its own line', () => {
    const out = renderWerfConfig({
      configFile: { name: 'werf.yaml', text: '{{- $x := include "x.tmpl" . }}\na: 1\n{{ "bogus: 1" }}\n{{ $x }}\n' },
      partials: [{ name: 'x.tmpl', text: 'bogus: 1' }],
      host: host(),
    });
    expect(out.text).toBe('\na: 1\nbogus: 1\nbogus: 1\n');
    expect(at(out, 3)).toBe('werf.yaml:3');
    // Printed from the variable that holds it, the include keeps pointing into the partial.
    expect(at(out, 4)).toBe('.werf/x.tmpl:1');
  });

  it('define/template bodies point into the define, once per use', () => {
    const out = renderWerfConfig({
      configFile: { name: 'werf.yaml', text: '{{ define "img" }}---\nimage: {{ . }}\nbogus: 1\n{{ end }}{{ template "img" "a" }}{{ template "img" "b" }}' },
      partials: [],
      host: host(),
    });
    const lines = out.text.split('\n');
    const bogus = lines.map((l, i) => (l === 'bogus: 1' ? i + 1 : 0)).filter(Boolean);
    expect(bogus).toHaveLength(2);
    for (const n of bogus) expect(at(out, n)).toBe('werf.yaml:3');
  });

  it('a long single-line loop keeps the right lines', () => {
    const out = renderWerfConfig({ configFile: { name: 'werf.yaml', text: 'a: {{ range until 200000 }}x{{ end }}\nb: 1\n' }, partials: [], host: host() });
    expect(out.text.length).toBe(200_000 + 'a: \nb: 1\n'.length);
    expect([at(out, 1), at(out, 2)]).toEqual(['werf.yaml:1', 'werf.yaml:2']);
  });
});
