/**
 * werf's flavour of the template engine (pkg/config/parser.go): `.Files`, `.Env`, `.Commit`,
 * `.werf/**\/*.tmpl` partials named by their path inside the templates directory, werf's own `env`,
 * and giterminism rules. Everything the project and the machine provide comes through the host,
 * so this stays pure; the host decides what may be read.
 */
import { ErrorCodes, FuncError, type TemplateLocation } from './errors';
import type { Engine, EngineLimits, LineOrigins } from './exec';
import { formatValue } from './format';
import { fnc, fncv, type FuncDef } from './funcs';
import { GoTime } from './gotime';
import { buildFuncTable, createEngine, resolveLimits, type TemplateSource } from './setup';
import { cleanPath, expandEnv } from './sprig/misc';
import { GO_TYPE, mapSet, mapSize, newMap, typeName, type GoMap } from './values';
import { werfRules, type WerfRules, type WerfVersion } from '../werf-config/werf-version';

export interface WerfTemplateHost {
  /** Environment lookup (the app supplies user overrides). */
  env(name: string): string | undefined;
  /**
   * Project-relative path; null when missing. May throw an error with a message when the host
   * refuses. A file larger than `maxBytes` (what is left of the render's read budget) must not be
   * read: throw ReadBudgetError instead, so no project can make a host allocate past the budget.
   */
  readFile(path: string, maxBytes: number): string | null;
  /**
   * Project-relative paths of the files a pattern matches; the host decides containment. The
   * engine reads each through readFile, so the read budget holds for globs too.
   */
  glob(pattern: string): string[];
  /** Paths the pattern matched but the host would not read (symlinks that leave the project), so the user is told. */
  globRefused?(pattern: string): string[];
  now(): Date;
}

export interface WerfWarning {
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface WerfRenderInput {
  configFile: TemplateSource;
  /**
   * Templates from the templates directory. `name` is relative to it ("a/b.tmpl") and is what
   * `include` uses; errors show `file` when given, else `<templatesDir>/<name>`.
   */
  partials: TemplateSource[];
  host: WerfTemplateHost;
  /** werf ≥ 1.2 strict rules: env needs a value or a default, expandenv is gone. */
  giterminism?: boolean;
  /** Whose `.Files` rules apply (a missing file, a Glob without a match); the current release by default. */
  werfVersion?: WerfVersion;
  commit?: { hash: string; date: Date; /** Committer's UTC offset; the host zone when absent. */ utcOffsetMinutes?: number };
  /** Value of .Env (`--env`); WERF_ENV from the host when absent. .Env exists in every mode so v2 configs preview. */
  werfEnv?: string;
  /** Templates directory relative to the project, default ".werf". */
  templatesDir?: string;
  limits?: Partial<EngineLimits>;
  /** Monotonic milliseconds for limits.maxRenderMs (a worker passes performance.now); Date.now when absent. */
  clock?: () => number;
}

export interface WerfRenderResult {
  text: string;
  /** Sorted unique environment variable names read by env/expandenv/.Env. */
  envRead: string[];
  warnings: WerfWarning[];
  /** For rendered line N, `lineOrigins(N)`: the template file and line that produced it. */
  lineOrigins: LineOrigins;
}

/** True when the text contains template actions at all. */
export function isTemplated(text: string): boolean {
  return text.includes('{{');
}

/**
 * Checks a `.Files` path and returns it relative to the project, or an error message. werf joins
 * every path onto the project directory, so a leading `/` means the project root
 * (`/Dockerfile.app` is `Dockerfile.app`); what climbs out of the project with `..` (also
 * `/../x`), a drive letter, a `~` and NUL are refused. Symlinks are the Node side's business.
 */
export function projectRelativePath(p: string): { path: string } | { problem: string } {
  if (p === '') return { problem: 'empty path' };
  if (p.includes('\0')) return { problem: `path ${JSON.stringify(p)} contains a NUL character` };
  const slashed = p.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(slashed) || /^[A-Za-z]:$/.test(slashed) || slashed.startsWith('~')) {
    return { problem: `absolute path ${JSON.stringify(p)} is not allowed; use a path relative to the project directory` };
  }
  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return { problem: `path ${JSON.stringify(p)} points outside the project directory` };
      parts.pop();
    } else parts.push(part);
  }
  return { path: parts.length === 0 ? '.' : parts.join('/') };
}

/** The error message for a path `projectRelativePath` refuses, or null when it is acceptable. */
export function checkProjectRelativePath(p: string): string | null {
  const r = projectRelativePath(p);
  return 'problem' in r ? r.problem : null;
}

function refused(e: unknown): FuncError {
  if (e instanceof FuncError) return e;
  const msg =
    e instanceof Error
      ? e.message
      : typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string'
        ? (e as { message: string }).message
        : String(e);
  return new FuncError(msg, ErrorCodes.file);
}

/** A file the template asked for is not in the project (werf ≥ 1.2 fails; see WerfRules). */
const FILE_MISSING = 'file-missing';

/** The argument as a project-relative path, the way werf's file reader resolves it. */
function pathArg(method: string, p: unknown): string {
  if (typeof p !== 'string') throw new FuncError(`wrong type for value; expected string; got ${typeName(p)}`, ErrorCodes.type);
  const r = projectRelativePath(p);
  if ('problem' in r) throw new FuncError(`${method}: ${r.problem}`, ErrorCodes.file);
  return r.path;
}

/** What a host throws instead of reading a file larger than the read budget has left. */
export class ReadBudgetError extends Error {
  override readonly name = 'ReadBudgetError';
  constructor(
    readonly path: string,
    /** The file's size in bytes. */
    readonly size: number,
  ) {
    super(`${path} is ${size} bytes`);
  }
}

/** `.Files`: a struct whose methods templates call as `.Files.Get "path"`. */
class WerfFiles {
  readonly [GO_TYPE] = 'config.files';
  /** Characters read through the host in this render (UTF-16 code units, never more than the file's bytes). */
  private readChars = 0;

  constructor(
    private readonly host: WerfTemplateHost,
    private readonly warn: (message: string) => void,
    private readonly rules: WerfRules,
    private readonly maxReadBytes: number,
  ) {}

  private overBudget(what: string): FuncError {
    return new FuncError(
      `${what}: the template has read ${this.readChars} bytes of project files, and the limit for one render is ${this.maxReadBytes} (maxReadBytes)`,
      ErrorCodes.limitRead,
    );
  }

  /** Every file read goes through here: the host is told what is left, and what it returns is charged. */
  private read(p: string): string | null {
    const left = this.maxReadBytes - this.readChars;
    let content: string | null;
    try {
      content = this.host.readFile(p, Math.max(0, left));
    } catch (e) {
      if (e instanceof ReadBudgetError) throw this.overBudget(`reading ${p} (${e.size} bytes)`);
      throw refused(e);
    }
    if (content === null) return null;
    // A host that ignores maxBytes still cannot go on: what it returned is counted.
    this.readChars += content.length;
    if (this.readChars > this.maxReadBytes) throw this.overBudget(`reading ${p}`);
    return content;
  }

  private globRaw(pattern: string): string[] {
    try {
      return this.host.glob(pattern);
    } catch (e) {
      throw refused(e);
    }
  }

  Get(path: unknown): string {
    const p = pathArg('.Files.Get', path);
    const content = this.read(p);
    if (content === null) {
      // werf ≥ 1.2 fails the render here; werf 1.1 warned and went on with "".
      if (this.rules.filesGetMissing === 'error') {
        throw new FuncError(`{{ .Files.Get ${JSON.stringify(path)} }}: the file ${JSON.stringify(p)} not found in the project directory`, FILE_MISSING, true);
      }
      this.warn(`.Files.Get ${JSON.stringify(p)}: file not found, an empty string is used`);
      return '';
    }
    return content;
  }

  Glob(pattern: unknown): GoMap {
    const p = pathArg('.Files.Glob', pattern);
    const found = this.globRaw(p);
    for (const path of this.host.globRefused?.(p) ?? []) {
      this.warn(`.Files.Glob ${JSON.stringify(p)}: ${path} is a symbolic link that leads outside the project folder; it was left out`);
    }
    const out = newMap();
    for (const k of [...found].sort()) {
      const content = this.read(k);
      if (content !== null) mapSet(out, k, content);
    }
    if (mapSize(out) === 0) {
      if (this.rules.globNoMatch === 'error') throw new FuncError(`{{ .Files.Glob ${JSON.stringify(pattern)} }}: no matches found`, FILE_MISSING, true);
      this.warn(`.Files.Glob ${JSON.stringify(p)}: no matches found`);
    }
    return out;
  }

  Exists(path: unknown): boolean {
    const p = pathArg('.Files.Exists', path);
    if (p !== '.') {
      try {
        if (this.read(p) !== null) return true;
      } catch (e) {
        // A folder is not a readable file (whether it exists is what the glob below tells); an
        // exhausted read budget still ends the render.
        if (e instanceof FuncError && e.code === ErrorCodes.limitRead) throw e;
      }
    }
    return this.globRaw(`${cleanPath(p)}/**`).length > 0;
  }

  IsDir(path: unknown): boolean {
    const p = pathArg('.Files.IsDir', path);
    return this.globRaw(`${cleanPath(p)}/**`).length > 0;
  }
}

/** time.Time.String() of a commit date in a zone without a name, as go-git produces. */
function commitHuman(date: Date, utcOffsetMinutes?: number): string {
  const offset = (utcOffsetMinutes ?? -date.getTimezoneOffset()) * 60;
  return new GoTime(date.getTime(), 0, offset, '', `fixed:${offset}`).String();
}

/**
 * A root field whose reading is noticed (recorded or warned about); a template that assigns it
 * gets a plain value from then on.
 */
function defineOnRead(data: GoMap, key: string, enumerable: boolean, read: () => unknown): void {
  Object.defineProperty(data, key, {
    enumerable,
    configurable: true,
    get: read,
    set: (v: unknown) => {
      Object.defineProperty(data, key, { value: v, enumerable: true, configurable: true, writable: true });
    },
  });
}

/** Renders werf.yaml with its partials. Throws TemplateError. */
export function renderWerfConfig(input: WerfRenderInput): WerfRenderResult {
  const host = input.host;
  const strict = input.giterminism === true;
  const dir = (input.templatesDir ?? '.werf').replace(/\/+$/, '');
  const envRead = new Set<string>();
  const warnings: WerfWarning[] = [];
  let engine: Engine | null = null;
  const location = (): TemplateLocation | undefined => engine?.location();
  const warn = (message: string): void => {
    const loc = location();
    warnings.push(loc ? { message, file: loc.file, line: loc.line, column: loc.column } : { message });
  };
  const readEnv = (name: string): string | undefined => {
    envRead.add(name);
    return host.env(name);
  };

  // werf's env: the name is fmt.Sprint'ed and an optional default is allowed. Without a value or
  // default, giterminism fails the render while loose mode (and werf 1.1's plain getenv) gives "".
  const extra: [string, FuncDef | null][] = [
    [
      'env',
      fncv(['any'], 'string', (_ctx, value, ...args) => {
        if (args.length > 1) throw new FuncError('more than 1 optional argument prohibited');
        const name = formatValue(value);
        const v = readEnv(name);
        if (v === undefined) {
          if (args.length === 1) return args[0];
          if (strict) {
            throw new FuncError(`the environment variable ${JSON.stringify(name)} must be set or default must be provided`, ErrorCodes.env);
          }
          return '';
        }
        if (v === '' && args.length === 1) return args[0];
        return v;
      }),
    ],
  ];
  // werf 1.2 removed expandenv (any variable would be readable without giterminism's say).
  if (strict || werfRules(input.werfVersion).modern) extra.push(['expandenv', null]);
  else extra.push(['expandenv', fnc(['string'], (_ctx, s) => expandEnv(s, (n) => readEnv(n) ?? ''))]);
  // Debug helpers print only with --debug-templates, which a preview never has.
  extra.push(['tpl_debug', fnc(['string', 'any'], () => '')]);
  extra.push(['include_debug', fnc(['string', 'any'], () => '')]);
  extra.push(['printf_debug', fncv(['string'], 'any', () => '')]);

  const funcs = buildFuncTable(extra);
  const partials = [...input.partials]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => ({ name: p.name, text: p.text, file: p.file ?? `${dir}/${p.name}` }));

  engine = createEngine(
    { funcs, limits: input.limits, now: () => host.now(), env: (n) => readEnv(n), clock: input.clock },
    input.configFile,
    partials,
  );

  const data = newMap();
  mapSet(data, 'Files', new WerfFiles(host, warn, werfRules(input.werfVersion), resolveLimits(input.limits).maxReadBytes));
  const envValue = input.werfEnv ?? host.env('WERF_ENV') ?? '';
  // Only templates that actually read .Env report WERF_ENV as an input.
  defineOnRead(data, 'Env', true, () => {
    envRead.add('WERF_ENV');
    return envValue;
  });
  if (input.commit) {
    const date = newMap();
    mapSet(date, 'Human', commitHuman(input.commit.date, input.commit.utcOffsetMinutes));
    mapSet(date, 'Unix', String(Math.floor(input.commit.date.getTime() / 1000)));
    const commit = newMap();
    mapSet(commit, 'Hash', input.commit.hash);
    mapSet(commit, 'Date', date);
    mapSet(data, 'Commit', commit);
  } else {
    // werf always has a commit (it runs in a git work tree); without one the fields print as
    // <no value>, which would otherwise go unnoticed in an image name or a label. Not enumerable:
    // `toYaml $` or ranging over the root must not count as reading it.
    let warned = false;
    const empty = newMap();
    defineOnRead(data, 'Commit', false, () => {
      if (!warned) {
        warned = true;
        warn('.Commit is read, but the project has no git commit (not a git repository, or no commits yet): its fields render as <no value>');
      }
      return empty;
    });
  }

  const { text, origins } = engine.executeWithOrigins(input.configFile.name, data);
  return { text, envRead: [...envRead].sort(), warnings, lineOrigins: origins };
}
