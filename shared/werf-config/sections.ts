/** Readers for the sub-sections of image documents (git, shell, mount, import, docker, ...). */
import type { LEntry, LMap, LNode, LPos } from './lnode';
import { entryOf } from './lnode';
import {
  checkKeys,
  describe,
  goValue,
  readBool,
  readMap,
  readSeq,
  readString,
  readStringMap,
  readStringOrList,
  type Ctx,
} from './reader';
import type {
  DependencyImport,
  DockerDirectives,
  GitMapping,
  ImageDependency,
  ImageSecret,
  ImportEntry,
  MountEntry,
  StapelInstructions,
  WerfDialect,
} from './types';

/** A reference from one image to another, kept with its position for the cross-image checks. */
export interface ImageRef {
  /** `from` only under werf ≥ 2.47 rules, where it may name an image of the config. */
  kind: 'from' | 'fromImage' | 'fromArtifact' | 'fromImageArtifact' | 'import' | 'dependency';
  target: string;
  /** What the name must be: an image, an artifact, or (import `from:`) either or an external image. */
  expects: 'image' | 'artifact' | 'any';
  at: LPos;
  /** For import `from:`, so the cross-image check can mark it external. */
  importEntry?: ImportEntry;
  /** Set by the cross-image check: the base names no image of the config (werf ≥ 2.47 `from`/`fromImage`). */
  external?: boolean;
}

const LEGACY_ADVICE: Record<string, string> = {
  fromImageArtifact: '`fromImageArtifact` was renamed to `fromArtifact` in werf v1.2.',
  herebyIAdmitThatFromLatestMightBreakReproducibility:
    'This key was removed in werf v1.2; allow `fromLatest` in werf-giterminism.yaml instead.',
  asLayers: '`asLayers` was removed in werf v1.2.',
  herebyIAdmitThatBranchMightBreakReproducibility:
    'This key was removed in werf v1.2; allow remote git branches in werf-giterminism.yaml instead.',
};

const keySetCache = new Map<string[], Map<WerfDialect, Set<string>>>();

/** Allowed keys for a section in a dialect; cached because every image document asks. */
export function keySet(dialect: WerfDialect, common: string[], modern: string[], legacy: string[]): Set<string> {
  let byDialect = keySetCache.get(common);
  if (!byDialect) {
    byDialect = new Map();
    keySetCache.set(common, byDialect);
  }
  let set = byDialect.get(dialect);
  if (!set) {
    if (dialect === 'v1.1') set = new Set([...common, ...legacy]);
    else set = new Set([...common, ...modern]);
    byDialect.set(dialect, set);
  }
  return set;
}

export function versionAdvice(dialect: WerfDialect, key: string, modern: string[], legacy: string[]): string | undefined {
  if (dialect === 'v1.1' && modern.includes(key)) return `\`${key}\` needs werf v1.2 or newer; this project is read with werf v1.1 rules.`;
  if (dialect === 'v2' && legacy.includes(key)) return LEGACY_ADVICE[key] ?? `\`${key}\` was removed in werf v1.2.`;
  return undefined;
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function listAnd(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function later(a: LPos, b: LPos): LPos {
  return b.line > a.line || (b.line === a.line && b.col > a.col) ? b : a;
}

const GIT_COMMON = ['add', 'to', 'url', 'branch', 'tag', 'commit', 'owner', 'group', 'includePaths', 'excludePaths', 'stageDependencies'];
const GIT_LEGACY = ['herebyIAdmitThatBranchMightBreakReproducibility'];
const STAGE_DEPENDENCY_KEYS = new Set(['install', 'beforeSetup', 'setup']);

export function readGit(ctx: Ctx, seq: { items: LNode[] }, dialect: WerfDialect): GitMapping[] {
  const out: GitMapping[] = [];
  const allowed = keySet(dialect, GIT_COMMON, [], GIT_LEGACY);
  seq.items.forEach((item, i) => {
    const path = `git[${i}]`;
    if (item.t !== 'm') {
      ctx.error('wrong-type', `\`${path}\`: a map expected, got ${describe(item)}`, 'Each git entry is a map with at least `to:`.', item);
      return;
    }
    checkKeys(ctx, item, { allowed, explain: (k) => versionAdvice(dialect, k, [], GIT_LEGACY) }, 'a git entry');
    const url = readString(ctx, entryOf(item, 'url'), `${path}.url`);
    const g: GitMapping = {
      kind: url ? 'remote' : 'local',
      add: '/',
      includePaths: readStringOrList(ctx, entryOf(item, 'includePaths'), `${path}.includePaths`) ?? [],
      excludePaths: readStringOrList(ctx, entryOf(item, 'excludePaths'), `${path}.excludePaths`) ?? [],
      stageDependencies: { install: [], beforeSetup: [], setup: [] },
      source: ctx.loc(item),
    };
    if (url) g.url = url;
    const refEntries: LEntry[] = [];
    for (const key of ['branch', 'tag', 'commit'] as const) {
      const e = entryOf(item, key);
      const v = readString(ctx, e, `${path}.${key}`);
      if (v && e) {
        g[key] = v;
        refEntries.push(e);
      }
    }
    if (!url && refEntries.length > 0) {
      ctx.error(
        'git-local-ref',
        `\`${refEntries[0].key}\` can only be used with a remote git repository (\`url:\`)!`,
        'The local repository is always taken at the current commit; remove the key, or add `url:` for a remote repository.',
        refEntries[0],
      );
    }
    if (url && dialect === 'v1.1' && !g.tag && !g.commit) {
      const admitted = readBool(ctx, entryOf(item, 'herebyIAdmitThatBranchMightBreakReproducibility'), `${path}.herebyIAdmitThatBranchMightBreakReproducibility`);
      if (!admitted) {
        ctx.error(
          'git-branch-not-admitted',
          'a remote git mapping that follows a branch breaks the reproducibility of previous builds',
          'Pin `commit:` or `tag:`, or set `herebyIAdmitThatBranchMightBreakReproducibility: true` (werf v1.1).',
          entryOf(item, 'branch') ?? entryOf(item, 'url') ?? item,
        );
      }
    }
    const addEntry = entryOf(item, 'add');
    const add = readString(ctx, addEntry, `${path}.add`);
    if (add) {
      g.add = add;
      if (!isAbsolute(add)) {
        ctx.error('path-not-absolute', `\`${path}.add: ${add}\`: absolute path required`, 'Paths in the repository start with `/`, e.g. `add: /src`.', addEntry!.value);
      }
    }
    const toEntry = entryOf(item, 'to');
    const to = readString(ctx, toEntry, `${path}.to`);
    if (!to) {
      ctx.error('git-to-required', '`to: PATH` absolute path required for git mapping!', 'Say where to put the files in the image, e.g. `to: /app`.', toEntry ?? item);
    } else {
      g.to = to;
      if (!isAbsolute(to)) ctx.error('path-not-absolute', `\`${path}.to: ${to}\`: absolute path required`, 'Paths in the image start with `/`, e.g. `to: /app`.', toEntry!.value);
    }
    const owner = readString(ctx, entryOf(item, 'owner'), `${path}.owner`);
    if (owner !== undefined) g.owner = owner;
    const group = readString(ctx, entryOf(item, 'group'), `${path}.group`);
    if (group !== undefined) g.group = group;
    const sd = readMap(ctx, entryOf(item, 'stageDependencies'), `${path}.stageDependencies`);
    if (sd) {
      checkKeys(ctx, sd, { allowed: STAGE_DEPENDENCY_KEYS }, '`stageDependencies`');
      for (const key of ['install', 'beforeSetup', 'setup'] as const) {
        g.stageDependencies[key] = readStringOrList(ctx, entryOf(sd, key), `${path}.stageDependencies.${key}`) ?? [];
      }
    }
    out.push(g);
  });
  return out;
}

const STAGES = ['beforeInstall', 'install', 'beforeSetup', 'setup'] as const;
const INSTRUCTION_KEYS = new Set([
  ...STAGES,
  'cacheVersion',
  'beforeInstallCacheVersion',
  'installCacheVersion',
  'beforeSetupCacheVersion',
  'setupCacheVersion',
]);

function readCacheVersions<T>(ctx: Ctx, m: LMap, section: string, out: StapelInstructions<T>): void {
  for (const key of ['cacheVersion', 'beforeInstallCacheVersion', 'installCacheVersion', 'beforeSetupCacheVersion', 'setupCacheVersion'] as const) {
    const v = readString(ctx, entryOf(m, key), `${section}.${key}`);
    if (v !== undefined) out[key] = v;
  }
}

export function readShell(ctx: Ctx, e: LEntry | undefined): StapelInstructions<string> | undefined {
  const m = readMap(ctx, e, 'shell');
  if (!m || !e) return undefined;
  checkKeys(ctx, m, { allowed: INSTRUCTION_KEYS }, '`shell`');
  const out: StapelInstructions<string> = { beforeInstall: [], install: [], beforeSetup: [], setup: [], source: ctx.loc(e) };
  for (const stage of STAGES) out[stage] = readStringOrList(ctx, entryOf(m, stage), `shell.${stage}`) ?? [];
  readCacheVersions(ctx, m, 'shell', out);
  return out;
}

export function readAnsible(ctx: Ctx, e: LEntry | undefined): StapelInstructions<unknown> | undefined {
  const m = readMap(ctx, e, 'ansible');
  if (!m || !e) return undefined;
  checkKeys(ctx, m, { allowed: INSTRUCTION_KEYS }, '`ansible`');
  const out: StapelInstructions<unknown> = { beforeInstall: [], install: [], beforeSetup: [], setup: [], source: ctx.loc(e) };
  for (const stage of STAGES) {
    const seq = readSeq(ctx, entryOf(m, stage), `ansible.${stage}`);
    if (!seq) continue;
    seq.items.forEach((task, i) => {
      if (task.t !== 'm') {
        ctx.error('wrong-type', `\`ansible.${stage}[${i}]\`: a task (map) expected, got ${describe(task)}`, 'Each Ansible task is a map such as `- name: ...` with a module key.', task);
        return;
      }
      out[stage].push(rawTask(task));
    });
  }
  readCacheVersions(ctx, m, 'ansible', out);
  return out;
}

function rawTask(m: LMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of m.entries) if (e.key !== '__proto__') out[e.key] = plainValue(e.value);
  return out;
}

function plainValue(n: LNode): unknown {
  if (n.t === 's') return typeof n.v === 'number' && !Number.isFinite(n.v) ? n.text : n.v;
  if (n.t === 'q') return n.items.map(plainValue);
  return rawTask(n);
}

const MOUNT_KEYS = new Set(['from', 'fromPath', 'to']);

export function readMounts(ctx: Ctx, seq: { items: LNode[] }): MountEntry[] {
  const out: MountEntry[] = [];
  const byTo = new Map<string, LPos>();
  seq.items.forEach((item, i) => {
    const path = `mount[${i}]`;
    if (item.t !== 'm') {
      ctx.error('wrong-type', `\`${path}\`: a map expected, got ${describe(item)}`, 'Each mount is a map with `from` (or `fromPath`) and `to`.', item);
      return;
    }
    checkKeys(ctx, item, { allowed: MOUNT_KEYS }, 'a mount');
    const toEntry = entryOf(item, 'to');
    const fromEntry = entryOf(item, 'from');
    const fromPathEntry = entryOf(item, 'fromPath');
    const to = readString(ctx, toEntry, `${path}.to`);
    const from = readString(ctx, fromEntry, `${path}.from`);
    const fromPath = readString(ctx, fromPathEntry, `${path}.fromPath`);
    let ok = true;
    if (!to || !isAbsolute(to)) {
      ctx.error(
        'mount-to-not-absolute',
        '`to: PATH` absolute path required for mount!',
        to ? `\`${to}\` is relative; mount targets start with \`/\`, e.g. \`to: /root/.cache\`.` : 'Say where to mount, e.g. `to: /root/.cache`.',
        toEntry ? toEntry.value : item,
      );
      ok = false;
    }
    if (from && fromPath) {
      ctx.error('mount-from-conflict', `cannot use \`from: ${from}\` and \`fromPath: ${fromPath}\` at the same time for mount!`, 'Use `from: tmp_dir|build_dir` or `fromPath: /host/path`, not both.', fromPathEntry!);
      ok = false;
    } else if (from) {
      if (from !== 'tmp_dir' && from !== 'build_dir') {
        ctx.error('mount-bad-from', `invalid \`from: ${from}\` for mount: expected \`tmp_dir\` or \`build_dir\`!`, 'Use `from: tmp_dir`, `from: build_dir`, or `fromPath:` for a host directory.', fromEntry!.value);
        ok = false;
      }
    } else if (!fromPath) {
      // werf ≥ 1.0.3 takes relative host paths as well (relative to the project directory).
      ctx.error(
        'mount-from-path-invalid',
        '`fromPath: PATH` absolute or relative path required for mount!',
        'Add `from: tmp_dir|build_dir` or a host path in `fromPath:`.',
        fromPathEntry ? fromPathEntry.value : item,
      );
      ok = false;
    }
    if (to) {
      const prev = byTo.get(to);
      if (prev) {
        ctx.error('mount-duplicate-to', 'conflict between mounts!', `\`to: ${to}\` is already mounted at line ${prev.line}; each mount needs its own target.`, toEntry!.value);
        ok = false;
      } else byTo.set(to, toEntry!.value);
    }
    if (ok && to) {
      const m: MountEntry = { type: from === 'tmp_dir' || from === 'build_dir' ? from : 'custom_dir', to, source: ctx.loc(item) };
      if (fromPath) m.fromPath = fromPath;
      out.push(m);
    }
  });
  return out;
}

const IMPORT_COMMON = ['image', 'artifact', 'add', 'to', 'includePaths', 'excludePaths', 'owner', 'group', 'before', 'after'];
const IMPORT_MODERN = ['from', 'stage'];
const IMPORT_KEYS_MODERN = new Set([...IMPORT_COMMON, ...IMPORT_MODERN]);
const IMPORT_KEYS_LEGACY = new Set(IMPORT_COMMON);

export function readImports(ctx: Ctx, seq: { items: LNode[] }, refs: ImageRef[], modern: boolean): ImportEntry[] {
  const out: ImportEntry[] = [];
  const allowed = modern ? IMPORT_KEYS_MODERN : IMPORT_KEYS_LEGACY;
  seq.items.forEach((item, i) => {
    const path = `import[${i}]`;
    if (item.t !== 'm') {
      ctx.error('wrong-type', `\`${path}\`: a map expected, got ${describe(item)}`, 'Each import is a map with `image` (or `artifact`), `add` and `before`/`after`.', item);
      return;
    }
    checkKeys(ctx, item, { allowed, explain: (k) => (!modern && IMPORT_MODERN.includes(k) ? `\`${k}\` needs werf v1.2 or newer.` : undefined) }, 'an import');
    const sources: { key: 'image' | 'artifact' | 'from'; value: string; e: LEntry }[] = [];
    for (const key of modern ? (['image', 'artifact', 'from'] as const) : (['image', 'artifact'] as const)) {
      const e = entryOf(item, key);
      const v = readString(ctx, e, `${path}.${key}`);
      if (v && e) sources.push({ key, value: v, e });
    }
    if (sources.length === 0) {
      ctx.error('import-source-required', 'artifact name `artifact: NAME` or image name `image: NAME` required for import!', 'Say which image to copy files from, e.g. `image: builder`.', item);
    } else if (sources.length > 1) {
      ctx.error('import-source-conflict', `specify only one of ${sources.map((s) => `\`${s.key}\``).join(', ')} for import!`, 'An import copies from exactly one image or artifact.', sources[1].e);
    }
    const addEntry = entryOf(item, 'add');
    const add = readString(ctx, addEntry, `${path}.add`);
    if (!add) ctx.error('import-add-required', '`add: PATH` absolute path required for import!', 'Say which path to copy from the source image, e.g. `add: /app/dist`.', addEntry ?? item);
    else if (!isAbsolute(add)) ctx.error('path-not-absolute', `\`${path}.add: ${add}\`: absolute path required`, 'Paths in the source image start with `/`.', addEntry!.value);
    const toEntry = entryOf(item, 'to');
    const to = readString(ctx, toEntry, `${path}.to`);
    if (to && !isAbsolute(to)) ctx.error('path-not-absolute', `\`${path}.to: ${to}\`: absolute path required`, 'Paths in the image start with `/`.', toEntry!.value);

    const beforeEntry = entryOf(item, 'before');
    const afterEntry = entryOf(item, 'after');
    const before = readString(ctx, beforeEntry, `${path}.before`);
    const after = readString(ctx, afterEntry, `${path}.after`);
    if (before && after) {
      ctx.error('import-stage-conflict', 'specify only one artifact stage using `before: install|setup` or `after: install|setup` for import!', 'Keep either `before:` or `after:`.', later(beforeEntry!, afterEntry!));
    } else if (!before && !after) {
      ctx.error('import-stage-required', 'artifact stage is not specified with `before: install|setup` or `after: install|setup` for import!', 'Add `before: install`, `after: install`, `before: setup` or `after: setup`.', item);
    } else {
      const [key, value, e] = before ? (['before', before, beforeEntry!] as const) : (['after', after!, afterEntry!] as const);
      if (value !== 'install' && value !== 'setup') {
        ctx.error('import-bad-stage', `invalid artifact stage \`${key}: ${value}\` for import: expected install or setup!`, `Use \`${key}: install\` or \`${key}: setup\`.`, e.value);
      }
    }
    const imp: ImportEntry = {
      external: false,
      add: add ?? '',
      to: to || add || '',
      includePaths: readStringOrList(ctx, entryOf(item, 'includePaths'), `${path}.includePaths`) ?? [],
      excludePaths: readStringOrList(ctx, entryOf(item, 'excludePaths'), `${path}.excludePaths`) ?? [],
      source: ctx.loc(item),
    };
    for (const s of sources) imp[s.key] = s.value;
    if (before) imp.before = before;
    if (after) imp.after = after;
    for (const key of ['owner', 'group', 'stage'] as const) {
      if (key === 'stage' && !modern) continue;
      const v = readString(ctx, entryOf(item, key), `${path}.${key}`);
      if (v !== undefined) imp[key] = v;
    }
    if (sources.length === 1) {
      const s = sources[0];
      refs.push({
        kind: 'import',
        target: s.value,
        expects: s.key === 'from' ? 'any' : s.key,
        at: s.e.value,
        importEntry: imp,
      });
    }
    out.push(imp);
  });
  return out;
}

const DOCKER_KEYS = new Set(['VOLUME', 'EXPOSE', 'ENV', 'LABEL', 'CMD', 'WORKDIR', 'USER', 'ENTRYPOINT', 'HEALTHCHECK']);

function readCommand(ctx: Ctx, e: LEntry | undefined, path: string): string | string[] | undefined {
  if (!e || (e.value.t === 's' && e.value.v === null)) return undefined;
  const v = e.value;
  if (v.t === 's' && typeof v.v === 'string') return v.v;
  if (v.t === 'q') {
    const out: string[] = [];
    for (const it of v.items) {
      if (it.t === 's' && typeof it.v === 'string') out.push(it.v);
      else {
        ctx.error('wrong-type', `\`${path}\`: single string or array of strings expected, got \`${goValue(v)}\`!`, 'Quote every item of the list.', it);
        return undefined;
      }
    }
    return out;
  }
  ctx.error('wrong-type', `\`${path}\`: single string or array of strings expected, got \`${goValue(v)}\`!`, 'Write a command string or a list of strings.', v);
  return undefined;
}

export function readDocker(ctx: Ctx, e: LEntry): DockerDirectives | undefined {
  const m = readMap(ctx, e, 'docker');
  if (!m) return undefined;
  checkKeys(
    ctx,
    m,
    { allowed: DOCKER_KEYS, explain: (k) => (DOCKER_KEYS.has(k.toUpperCase()) ? `Docker directives are upper case: \`${k.toUpperCase()}\`.` : undefined) },
    '`docker`',
  );
  const out: DockerDirectives = {
    VOLUME: readStringOrList(ctx, entryOf(m, 'VOLUME'), 'docker.VOLUME') ?? [],
    EXPOSE: readStringOrList(ctx, entryOf(m, 'EXPOSE'), 'docker.EXPOSE') ?? [],
    ENV: readStringMap(ctx, entryOf(m, 'ENV'), 'docker.ENV') ?? {},
    LABEL: readStringMap(ctx, entryOf(m, 'LABEL'), 'docker.LABEL') ?? {},
    source: ctx.loc(e),
  };
  const cmd = readCommand(ctx, entryOf(m, 'CMD'), 'docker.CMD');
  if (cmd !== undefined) out.CMD = cmd;
  const ep = readCommand(ctx, entryOf(m, 'ENTRYPOINT'), 'docker.ENTRYPOINT');
  if (ep !== undefined) out.ENTRYPOINT = ep;
  for (const key of ['WORKDIR', 'USER', 'HEALTHCHECK'] as const) {
    const v = readString(ctx, entryOf(m, key), `docker.${key}`);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const DEPENDENCY_KEYS = new Set(['image', 'from', 'before', 'after', 'imports']);
const DEPENDENCY_IMPORT_KEYS = new Set(['type', 'targetBuildArg', 'targetEnv']);
const DEPENDENCY_IMPORT_TYPES = ['ImageName', 'ImageID', 'ImageRepo', 'ImageTag', 'ImageDigest'];

export function readDependencies(ctx: Ctx, e: LEntry | undefined, dockerfile: boolean, refs: ImageRef[]): ImageDependency[] {
  const seq = readSeq(ctx, e, 'dependencies');
  if (!seq) return [];
  const out: ImageDependency[] = [];
  seq.items.forEach((item, i) => {
    const path = `dependencies[${i}]`;
    if (item.t !== 'm') {
      ctx.error('wrong-type', `\`${path}\`: a map expected, got ${describe(item)}`, 'Each dependency is a map with `image:` and `imports:`.', item);
      return;
    }
    checkKeys(ctx, item, { allowed: DEPENDENCY_KEYS }, 'a dependency');
    const fromEntry = entryOf(item, 'from');
    const imageEntry = entryOf(item, 'image');
    const from = readString(ctx, fromEntry, `${path}.from`);
    const image = readString(ctx, imageEntry, `${path}.image`);
    const name = from || image;
    const nameEntry = from ? fromEntry : imageEntry;
    if (!name || !nameEntry) {
      ctx.error('dependency-image-required', `\`${path}\`: the image to depend on is required`, 'Name an image of this config: `image: NAME`.', imageEntry ?? fromEntry ?? item);
      return;
    }
    const dep: ImageDependency = { image: name, imports: [], source: ctx.loc(item) };
    const beforeEntry = entryOf(item, 'before');
    const afterEntry = entryOf(item, 'after');
    const before = readString(ctx, beforeEntry, `${path}.before`);
    const after = readString(ctx, afterEntry, `${path}.after`);
    if (dockerfile) {
      if (before || after) {
        ctx.error(
          'dependency-stage',
          `\`${path}\`: \`before\`/\`after\` cannot be used in dependencies of a Dockerfile image`,
          'Dockerfile images receive dependencies as build args; remove `before`/`after`.',
          beforeEntry ?? afterEntry!,
        );
      }
    } else if (before && after) {
      ctx.error('dependency-stage', `\`${path}\`: specify only one of \`before\` and \`after\``, 'Keep either `before:` or `after:`.', later(beforeEntry!, afterEntry!));
    } else if (!before && !after) {
      ctx.error('dependency-stage', `\`${path}\`: the stage is required: \`before: install|setup\` or \`after: install|setup\``, 'Add for example `before: setup`.', item);
    } else {
      const [key, value, be] = before ? (['before', before, beforeEntry!] as const) : (['after', after!, afterEntry!] as const);
      if (value !== 'install' && value !== 'setup') {
        ctx.error('dependency-stage', `\`${path}.${key}: ${value}\`: expected install or setup`, `Use \`${key}: install\` or \`${key}: setup\`.`, be.value);
      } else dep[key] = value;
    }
    const imports = readSeq(ctx, entryOf(item, 'imports'), `${path}.imports`);
    imports?.items.forEach((imp, j) => {
      const ipath = `${path}.imports[${j}]`;
      if (imp.t !== 'm') {
        ctx.error('wrong-type', `\`${ipath}\`: a map expected, got ${describe(imp)}`, 'Each import is a map with `type` and a target.', imp);
        return;
      }
      checkKeys(ctx, imp, { allowed: DEPENDENCY_IMPORT_KEYS }, 'a dependency import');
      const di: DependencyImport = { source: ctx.loc(imp) };
      const typeEntry = entryOf(imp, 'type');
      const type = readString(ctx, typeEntry, `${ipath}.type`);
      if (!type || !DEPENDENCY_IMPORT_TYPES.includes(type)) {
        ctx.error(
          'dependency-import-invalid',
          type ? `\`${ipath}.type: ${type}\` is not a known dependency import type` : `\`${ipath}\`: \`type\` is required`,
          `Use one of ${DEPENDENCY_IMPORT_TYPES.join(', ')}.`,
          typeEntry ? typeEntry.value : imp,
        );
      } else di.type = type;
      const argEntry = entryOf(imp, 'targetBuildArg');
      const envEntry = entryOf(imp, 'targetEnv');
      const arg = readString(ctx, argEntry, `${ipath}.targetBuildArg`);
      const env = readString(ctx, envEntry, `${ipath}.targetEnv`);
      if (dockerfile) {
        if (envEntry) ctx.error('dependency-import-invalid', '`targetEnv` is for Stapel images; Dockerfile images use `targetBuildArg`', 'Rename the key to `targetBuildArg`.', envEntry);
        else if (!arg) ctx.error('dependency-import-invalid', `\`${ipath}\`: \`targetBuildArg\` is required`, 'Name the build arg that receives the value, e.g. `targetBuildArg: BASE_IMAGE`.', argEntry ?? imp);
      } else if (argEntry) ctx.error('dependency-import-invalid', '`targetBuildArg` is for Dockerfile images; Stapel images use `targetEnv`', 'Rename the key to `targetEnv`.', argEntry);
      else if (!env) ctx.error('dependency-import-invalid', `\`${ipath}\`: \`targetEnv\` is required`, 'Name the environment variable that receives the value.', envEntry ?? imp);
      if (arg) di.targetBuildArg = arg;
      if (env) di.targetEnv = env;
      dep.imports.push(di);
    });
    refs.push({ kind: 'dependency', target: name, expects: 'image', at: nameEntry.value });
    out.push(dep);
  });
  return out;
}

const SECRET_KEYS = new Set(['id', 'env', 'src', 'value']);

export function readSecrets(ctx: Ctx, e: LEntry | undefined): ImageSecret[] | undefined {
  const seq = readSeq(ctx, e, 'secrets');
  if (!seq) return undefined;
  const out: ImageSecret[] = [];
  seq.items.forEach((item, i) => {
    const path = `secrets[${i}]`;
    if (item.t !== 'm') {
      ctx.error('wrong-type', `\`${path}\`: a map expected, got ${describe(item)}`, 'Each secret is a map with `env`, `src` or `id` + `value`.', item);
      return;
    }
    checkKeys(ctx, item, { allowed: SECRET_KEYS }, 'a secret');
    const id = readString(ctx, entryOf(item, 'id'), `${path}.id`);
    const env = readString(ctx, entryOf(item, 'env'), `${path}.env`);
    const src = readString(ctx, entryOf(item, 'src'), `${path}.src`);
    const value = readString(ctx, entryOf(item, 'value'), `${path}.value`);
    const set = [env && 'env', src && 'src', value && 'value'].filter((x): x is string => !!x);
    if (set.length === 0) {
      ctx.error('secret-invalid', `\`${path}\`: one of env, src, value should be specified`, 'Use `env: VAR`, `src: path/to/file`, or `id: NAME` with `value: ...`.', item);
      return;
    }
    if (set.length > 1) {
      ctx.error('secret-invalid', `\`${path}\`: ${set[0]} can't be specified with other types`, `Keep only one of ${set.map((s) => `\`${s}\``).join(', ')}.`, entryOf(item, set[1])!);
      return;
    }
    if (value && !id) {
      ctx.error('secret-invalid', `\`${path}\`: id is required field for type value`, 'Add `id: NAME` for a secret given by `value`.', item);
      return;
    }
    if (env) out.push({ kind: 'env', id: id || env, reference: env, source: ctx.loc(item) });
    else if (src) out.push({ kind: 'src', id: id || (src.split('/').pop() ?? src), reference: src, source: ctx.loc(item) });
    else out.push({ kind: 'value', id: id!, source: ctx.loc(item) });
  });
  return out;
}
