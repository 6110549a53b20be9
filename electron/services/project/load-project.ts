import { readdirSync, statSync } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../../../shared/api/result';
import type { DockerfileBuildSpec, GitInfo, ImageSummary, ProjectView } from '../../../shared/api/types';
import { renderWerfConfig, isTemplated, ReadBudgetError, TemplateError } from '../../../shared/gotemplate';
import type { EngineLimits, LineOrigins } from '../../../shared/gotemplate/exec';
import type { Problem, SourceLocation } from '../../../shared/problems';
import { CURRENT_WERF_VERSION, parseWerfConfig, type WerfImage, type WerfVersion } from '../../../shared/werf-config';
import { describeFsError } from '../fs-errors';
import { readGitInfo, readUncommitted, workTreeStateOf, type WorkTreeState } from '../git-info';
import { resolveInsideProject } from './inside-project';
import { ProjectFileError, ProjectFiles } from './project-files';

/** werf looks for werf.yml first, then werf.yaml. */
export const CONFIG_NAMES = ['werf.yml', 'werf.yaml'] as const;
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export type LoadPhase = 'git' | 'render' | 'parse';

export interface LoadOptions {
  /** Values the user set in the app; they win over the process environment. */
  envOverrides?: Record<string, string>;
  /** The environment templates read (`env`, `.Env`); the process environment by default. */
  environment?: Record<string, string | undefined>;
  signal?: AbortSignal;
  now?: () => Date;
  /**
   * Engine limits for this render; the project worker adds its cooperative time budget
   * (`maxRenderMs`, which the engine checks as it steps) so a slow template ends naming its line.
   */
  renderLimits?: Partial<EngineLimits>;
  /**
   * Branch, tag and commit already being read (the CLI starts the read before loading this code,
   * see electron/cli/early-git.ts); read here when absent.
   */
  gitInfo?: Promise<GitInfo | null>;
  /** The uncommitted files, likewise already being read (null: git could not tell); read here when absent. */
  uncommitted?: Promise<Map<string, WorkTreeState> | null>;
  /** Told when loading enters a phase, so a stopped load can say where it was. */
  onPhase?: (phase: LoadPhase) => void;
  /** Whose rules apply (templates and config); the current werf release when absent. */
  werfVersion?: WerfVersion;
  /**
   * Whether to ask git which inputs are uncommitted (the giterminism warnings); true when absent.
   * `stowage render` prints only the template's own problems, so it skips that git run.
   */
  checkUncommitted?: boolean;
  /**
   * Bounds for a load that runs in the caller's own thread (the CLI's, see in-process-load.ts). A
   * load in the project worker has none: its host stops the whole thread at its time and heap limits.
   */
  inProcess?: InProcessBounds;
}

/**
 * What a load in the caller's thread must stay within, since nothing can stop it from outside: the
 * synchronous steps run under a hard time limit, and inputs too large for them are not started on.
 */
export interface InProcessBounds {
  /** Runs one synchronous step (render, parse); throws when the step overruns its time. */
  runStep<T>(phase: 'render' | 'parse', step: () => T): T;
  /** werf config and `.werf` partials together, in bytes (what the template parser takes in). */
  maxTemplateBytes: number;
  /** The text handed to the YAML parser (the rendered config, or a plain one), in UTF-16 code units. */
  maxParseChars: number;
}

/** An input over an in-process bound: the load is not for this thread; the caller hands it to the worker. */
export class OverInProcessBounds extends Error {
  override readonly name = 'OverInProcessBounds';
}

/**
 * Reads a project folder into the view model: finds the werf config, renders templates, parses and
 * validates it. Problems with the config come back as data in `problems`; only a folder that cannot
 * be opened at all throws (as a UserError with a hint).
 */
export async function loadProject(dirInput: string, options: LoadOptions = {}): Promise<ProjectView> {
  const dir = resolve(dirInput);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    readdirSync(dir);
  } catch (error) {
    throw describeFsError(error, dir, 'folder');
  }
  const envOverrides = options.envOverrides ?? {};
  options.onPhase?.('git');
  // Asked now, beside the commit, so that the two git runs overlap; only read (for a project with
  // a commit) once the config says which files it uses. It never rejects: git failing is null.
  const uncommitted = options.checkUncommitted === false ? null : (options.uncommitted ?? readUncommitted(dir, options.signal).catch(() => null));
  const git = await (options.gitInfo ?? readGitInfo(dir, options.signal));
  // A load stopped while git ran (the in-process load's wall clock, a cancel) goes no further.
  options.signal?.throwIfAborted();
  const base: ProjectView = {
    path: dir,
    configFile: null,
    project: null,
    configVersion: null,
    templated: false,
    images: [],
    problems: [],
    git,
    rendered: null,
    errorSource: null,
    envRead: [],
    envOverrides,
    werfVersion: options.werfVersion ?? CURRENT_WERF_VERSION,
    loadedAt: (options.now ?? (() => new Date()))().toISOString(),
  };

  // The early returns below are the config that could not be read at all; see unreadableConfig().
  const found = findConfig(dir);
  if (found.problem) return { ...base, configFile: found.name, problems: [found.problem] };
  const configFile = found.name!;
  const read = await readConfigText(dir, configFile);
  if ('problem' in read) return { ...base, configFile, problems: [read.problem] };

  const problems: Problem[] = [...found.warnings];
  let text = read.text;
  let envRead: string[] = [];
  let origins: LineOrigins | null = null;
  let readFiles: string[] = [];
  let missedFiles: string[] = [];
  let partialFiles: string[] = [];
  // One walk of the folder serves the partials check and the render (it can be a large tree).
  const files = projectFilesOf(dir);
  // werf parses every .werf/**/*.tmpl before rendering, so a broken partial fails even a plain werf.yaml.
  const templated = isTemplated(text) || hasPartials(dir, files);
  if (templated) {
    options.onPhase?.('render');
    const render = () => renderProjectTemplates(dir, configFile, text, envOverrides, options, git, files);
    const rendered = options.inProcess ? options.inProcess.runStep('render', render) : render();
    if ('problem' in rendered) {
      return {
        ...base,
        configFile,
        templated,
        // Watched as well, so fixing the partial that broke the render re-renders.
        inputs: [...new Set([configFile, ...rendered.partialFiles])].sort(),
        problems: [...problems, ...rendered.linkWarnings, rendered.problem],
        errorSource: sourceOf(dir, configFile, text, rendered.problem),
      };
    }
    text = rendered.text;
    envRead = rendered.envRead;
    origins = rendered.lineOrigins;
    readFiles = rendered.readFiles;
    missedFiles = rendered.missedFiles;
    partialFiles = rendered.partialFiles;
    problems.push(...rendered.warnings);
  }

  options.onPhase?.('parse');
  if (options.inProcess && text.length > options.inProcess.maxParseChars) {
    throw new OverInProcessBounds(`the config to parse is ${text.length} characters (in-process bound ${options.inProcess.maxParseChars})`);
  }
  const parse = () => parseWerfConfig(text, { file: configFile, maxBytes: MAX_CONFIG_BYTES, ...(options.werfVersion ? { werfVersion: options.werfVersion } : {}) });
  const parsed = options.inProcess ? options.inProcess.runStep('parse', parse) : parse();
  const dockerfiles = parsed.config.images.flatMap((i) => (i.dockerfilePath ? [i.dockerfilePath] : []));
  const inputs = [...new Set([configFile, ...partialFiles, ...readFiles, ...missedFiles, ...dockerfiles])].sort();
  if (git?.commit && uncommitted) {
    options.onPhase?.('git');
    problems.push(...uncommittedInputs([configFile, ...readFiles, ...dockerfiles], await uncommitted));
  }
  const toSource = origins ? sourceMapper(configFile, origins) : null;
  problems.push(...(toSource ? parsed.problems.map((p) => (p.location ? mapProblem(p, p.location, toSource) : p)) : parsed.problems));
  const images = parsed.config.images.map((i) => toSummary(i, parsed.config.meta?.build?.platform));
  if (toSource) {
    for (const image of images) {
      image.source = toSource(image.source);
      for (const key of Object.keys(image.fields)) image.fields[key] = toSource(image.fields[key]!);
    }
  }
  return {
    ...base,
    configFile,
    templated,
    project: parsed.config.meta?.project ?? null,
    configVersion: parsed.config.meta?.configVersion ?? null,
    images,
    problems,
    rendered: { text, documents: parsed.config.documents.map((d) => ({ ...d })) },
    envRead,
    inputs,
  };
}


/**
 * Positions in the rendered config point back at the template line that wrote them (werf.yaml or
 * a `.werf/` partial), so "file:line" opens the line the user has to edit. The column carries over
 * only from template text; a line a printed value wrote starts at column 1.
 */
function sourceMapper(configFile: string, origins: LineOrigins): (at: SourceLocation) => SourceLocation {
  return (at) => {
    if (at.file !== configFile) return at;
    const origin = origins(at.line);
    return origin && origin.file ? { file: origin.file, line: origin.line, column: origin.text ? at.column : 1 } : at;
  };
}

function mapProblem(p: Problem, at: SourceLocation, toSource: (at: SourceLocation) => SourceLocation): Problem {
  const mapped = toSource(at);
  const moved = mapped.file !== at.file || mapped.line !== at.line;
  return { ...p, location: mapped, renderedLine: at.line, ...(moved ? { message: `${p.message} (rendered line ${at.line})` } : {}) };
}

/**
 * werf 1.2+ reads werf.yaml, its `.werf` templates, every file `.Files` reads and the Dockerfiles
 * from the current commit (giterminism): a version that is only in the work tree is one werf will not see, and
 * without `--dev` it refuses to build. Said here, before werf says it.
 */
function uncommittedInputs(paths: string[], states: ReadonlyMap<string, WorkTreeState> | null): Problem[] {
  if (!states || states.size === 0) return [];
  const problems: Problem[] = [];
  for (const path of [...new Set(paths)].sort()) {
    const state = workTreeStateOf(states, path);
    if (!state) continue;
    const what = state === 'changed' ? 'has uncommitted changes' : state === 'untracked' ? 'is not committed' : 'is ignored by git';
    problems.push({
      severity: 'warning',
      code: 'giterminism-uncommitted',
      message: `${path} ${what}: werf 1.2+ reads the config, the files its templates read and the Dockerfiles from the current commit, so it would not see ${state === 'changed' ? 'this version' : 'this file'}`,
      hint: state === 'ignored' ? 'Commit the file (remove it from .gitignore), or read it another way.' : 'Commit it, or run werf with --dev while you work on it.',
      location: { file: path, line: 1, column: 1 },
    });
  }
  return problems;
}

/**
 * The problem that kept werf.yaml from being read at all (none there, a folder in its place, no
 * permission, too large), as opposed to a config with errors in it. Only loadProject's early
 * returns leave a view with no rendered text that was not a failed template.
 */
export function unreadableConfig(view: ProjectView): Problem | null {
  if (view.rendered !== null || view.templated) return null;
  return view.problems.find((p) => p.severity === 'error') ?? null;
}

function hasPartials(dir: string, files: () => ProjectFiles): boolean {
  try {
    return statSync(join(dir, '.werf')).isDirectory() && files().listFiles('.werf', '.tmpl').length > 0;
  } catch {
    return false;
  }
}

/** The project's files, opened on first use and then shared (it caches its walk of the folder). */
function projectFilesOf(dir: string): () => ProjectFiles {
  let files: ProjectFiles | null = null;
  return () => (files ??= new ProjectFiles(dir));
}

export function findConfig(dir: string): { name: string | null; problem?: Problem; warnings: Problem[] } {
  const present = CONFIG_NAMES.filter((name) => {
    try {
      statSync(join(dir, name));
      return true;
    } catch {
      return false;
    }
  });
  if (present.length === 0) {
    return {
      name: null,
      warnings: [],
      problem: {
        severity: 'error',
        code: 'no-werf-config',
        message: `There is no werf.yaml or werf.yml in ${dir}.`,
        hint: 'Open the folder that holds werf.yaml (usually the root of the git repository), or create one there.',
      },
    };
  }
  const name = present[0]!;
  const warnings: Problem[] =
    present.length > 1
      ? [{ severity: 'warning', code: 'two-werf-configs', message: `Both werf.yml and werf.yaml exist; werf reads ${name} and ignores the other.`, hint: 'Delete the file you do not use.' }]
      : [];
  return { name, warnings };
}

async function readConfigText(dir: string, name: string): Promise<{ text: string } | { problem: Problem }> {
  const at = { file: name, line: 1, column: 1 };
  const inside = resolveInsideProject(dir, name);
  if (!inside.ok && inside.reason === 'outside') {
    return { problem: { severity: 'error', code: 'config-outside-project', message: inside.message, hint: inside.hint, location: at } };
  }
  // Read the resolved file, not the link, so what was checked is what is read.
  const full = inside.ok ? inside.realPath : join(dir, name);
  let info;
  try {
    info = await stat(full);
  } catch (error) {
    const e = describeFsError(error, full, 'file');
    return { problem: { severity: 'error', code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), location: at } };
  }
  if (info.isDirectory()) {
    return { problem: { severity: 'error', code: 'config-is-directory', message: `${name} is a folder, not a file.`, hint: `Remove or rename the folder ${name}; werf expects a YAML file there.`, location: at } };
  }
  if (!info.isFile()) {
    return { problem: { severity: 'error', code: 'config-not-a-file', message: `${name} is not a regular file.`, hint: 'Replace it with a YAML file.', location: at } };
  }
  if (info.size > MAX_CONFIG_BYTES) {
    return {
      problem: {
        severity: 'error',
        code: 'config-too-large',
        message: `${name} is ${formatBytes(info.size)}; Stowage reads configs up to ${formatBytes(MAX_CONFIG_BYTES)}.`,
        hint: 'A werf config this large is almost certainly not the file you meant; check what wrote it.',
        location: at,
      },
    };
  }
  let handle;
  try {
    handle = await openFile(full, 'r');
    const buffer = await handle.readFile();
    return { text: new TextDecoder('utf-8').decode(buffer) };
  } catch (error) {
    const e = describeFsError(error, full, 'file');
    return { problem: { severity: 'error', code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), location: at } };
  } finally {
    await handle?.close();
  }
}

function renderProjectTemplates(
  dir: string,
  configFile: string,
  text: string,
  envOverrides: Record<string, string>,
  options: LoadOptions,
  git: GitInfo | null,
  projectFiles: () => ProjectFiles,
): { text: string; envRead: string[]; warnings: Problem[]; lineOrigins: LineOrigins; readFiles: string[]; missedFiles: string[]; partialFiles: string[] } | { problem: Problem; linkWarnings: Problem[]; partialFiles: string[] } {
  const environment = options.environment ?? process.env;
  let linkWarnings: Problem[] = [];
  let partialFiles: string[] = [];
  try {
    const files = projectFiles();
    linkWarnings = refusedPartials(files);
    partialFiles = files.listFiles('.werf', '.tmpl');
    const partials = readPartials(files, options.inProcess?.maxTemplateBytes ?? Number.POSITIVE_INFINITY, text.length);
    const result = renderWerfConfig({
      configFile: { name: configFile, text },
      partials,
      ...(options.werfVersion ? { werfVersion: options.werfVersion } : {}),
      ...(git?.commit ? { commit: { hash: git.commit, date: git.commitDate ? new Date(git.commitDate) : new Date(0) } } : {}),
      host: {
        env: (name) => (Object.prototype.hasOwnProperty.call(envOverrides, name) ? envOverrides[name] : environment[name]),
        readFile: (path, maxBytes) => files.read(path, maxBytes),
        glob: (pattern) => files.glob(pattern),
        globRefused: (pattern) => files.globRefused(pattern),
        now: options.now ?? (() => new Date()),
      },
      ...(options.renderLimits ? { limits: options.renderLimits } : {}),
      // Monotonic: a clock change during a render must not end it early or let it run on.
      clock: () => performance.now(),
    });
    return {
      text: result.text,
      envRead: result.envRead,
      lineOrigins: result.lineOrigins,
      readFiles: [...files.readPaths],
      missedFiles: [...files.missedPaths],
      partialFiles,
      warnings: [...linkWarnings, ...result.warnings.map((w) => ({
        severity: 'warning' as const,
        code: 'template-warning',
        message: w.message,
        ...(w.file ? { location: { file: w.file, line: w.line ?? 1, column: w.column ?? 1 } } : {}),
      }))],
    };
  } catch (error) {
    if (error instanceof TemplateError) {
      return {
        linkWarnings,
        partialFiles,
        problem: {
          severity: 'error',
          code: `template-${error.code}`,
          message: error.message,
          hint: 'Fix the template at this position; `stowage render <dir>` prints the same error.',
          location: { file: error.file, line: error.line, column: error.column },
        },
      };
    }
    if (error instanceof ProjectFileError) {
      return { linkWarnings, partialFiles, problem: { severity: 'error', code: 'template-file-refused', message: error.message, hint: 'Keep files read by templates inside the project folder.' } };
    }
    throw error;
  }
}

/** The `.werf` partials (`*.tmpl` at any depth): with the config's `configChars`, within `maxBytes` (an in-process load's bound). */
function readPartials(files: ProjectFiles, maxBytes: number, configChars: number): Array<{ name: string; text: string }> {
  let left = maxBytes - configChars;
  return files.listFiles('.werf', '.tmpl').map((path) => {
    let text: string | null;
    try {
      text = files.read(path, Math.max(0, left));
    } catch (error) {
      if (error instanceof ReadBudgetError) throw new OverInProcessBounds(`the config and its .werf partials are over ${maxBytes} bytes (in-process bound)`);
      throw error;
    }
    left -= text?.length ?? 0;
    return { name: path.slice('.werf/'.length), text: text ?? '' };
  });
}

/**
 * `.werf/*.tmpl` links that leave the project are not read; said here so that the user does not
 * see only werf's `no template "x"` when a template includes one.
 */
function refusedPartials(files: ProjectFiles): Problem[] {
  return files.refusedUnder('.werf', '.tmpl').map((path) => ({
    severity: 'warning' as const,
    code: 'template-link-outside-project',
    message: `${path} is a symbolic link that leads outside the project folder; Stowage does not read it${path.endsWith('.tmpl') ? `, so the templates it defines (${JSON.stringify(path.slice('.werf/'.length))}) are missing` : ', nor any template in it'}`,
    hint: 'Replace the link with the file itself (werf reads templates from the commit, where a link to another folder does not resolve either).',
    location: { file: path, line: 1, column: 1 },
  }));
}

/** The text of the file a template error points into (the config itself or a `.werf/` partial). */
function sourceOf(dir: string, configFile: string, configText: string, problem: Problem): { file: string; text: string } | null {
  const file = problem.location?.file;
  if (!file) return null;
  if (file === configFile) return { file, text: configText };
  try {
    const text = new ProjectFiles(dir).read(file);
    return text === null ? null : { file, text };
  } catch {
    return null;
  }
}

/** `projectPlatform`: werf.yaml's meta `build.platform`, which an image's own `platform` overrides. */
export function toSummary(image: WerfImage, projectPlatform?: readonly string[]): ImageSummary {
  const summary: ImageSummary = {
    name: image.name,
    kind: image.kind,
    dependsOn: [...image.dependsOn],
    final: image.final,
    source: image.source,
    fields: image.fields,
  };
  if (image.dockerfile !== undefined) summary.dockerfile = image.dockerfile;
  if (image.context !== undefined) summary.context = image.context;
  if (image.target !== undefined) summary.target = image.target;
  if (image.args !== undefined) summary.args = image.args;
  if (image.from !== undefined) summary.from = image.from;
  if (image.fromImage !== undefined) summary.fromImage = image.fromImage;
  if (image.fromArtifact !== undefined) summary.fromArtifact = image.fromArtifact;
  if (image.kind === 'dockerfile' && image.dockerfilePath !== undefined) summary.build = dockerfileBuildOf(image, image.dockerfilePath, projectPlatform);
  return summary;
}

function dockerfileBuildOf(image: WerfImage, dockerfilePath: string, projectPlatform?: readonly string[]): DockerfileBuildSpec {
  const spec: DockerfileBuildSpec = { dockerfilePath, contextPath: normalizeContext(image.context) };
  if (image.addHost?.length) spec.addHost = [...image.addHost];
  if (image.network !== undefined) spec.network = image.network;
  if (image.contextAddFiles?.length) spec.contextAddFiles = [...image.contextAddFiles];
  const platform = image.platform?.length ? image.platform : projectPlatform;
  if (platform?.length) spec.platform = [...platform];
  const dependencies = image.dependencies
    .map((d) => ({ image: d.image, imports: d.imports.flatMap((i) => (i.type !== undefined && i.targetBuildArg !== undefined ? [{ type: i.type, targetBuildArg: i.targetBuildArg }] : [])) }))
    .filter((d) => d.imports.length > 0);
  if (dependencies.length) spec.dependencies = dependencies;
  return spec;
}

/**
 * `context: ./app/` and `context: app` are the same folder; an absent context is the project. One
 * that climbs out of the project is kept as written, so publish refuses it with the reason.
 */
function normalizeContext(context: string | undefined): string {
  const parts: string[] = [];
  for (const seg of (context ?? '.').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg !== '..') parts.push(seg);
    else if (parts.pop() === undefined) return context ?? '.';
  }
  return parts.length ? parts.join('/') : '.';
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

export function projectNotOpen(): UserError {
  return new UserError({ code: 'no-project', message: 'No project is open.', hint: 'Open a project folder first.' });
}
