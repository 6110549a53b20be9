import type { SourceLocation } from '../problems';
import { entryOf } from './lnode';
import type { LEntry, LMap, LPos } from './lnode';
import { readImageSpec } from './meta';
import { checkKeys, describe, goValue, readBool, readMap, readSeq, readString, readStringList, readStringOrList, type Ctx } from './reader';
import {
  keySet,
  later,
  listAnd,
  readAnsible,
  readDependencies,
  readDocker,
  readGit,
  readImports,
  readMounts,
  readSecrets,
  readShell,
  versionAdvice,
  type ImageRef,
} from './sections';
import type { ImageKind, WerfDialect, WerfImage } from './types';

export type { ImageRef } from './sections';

export interface ReadImage {
  image: WerfImage;
  nameAt: LPos;
  refs: ImageRef[];
}

const DOCKERFILE_COMMON = ['image', 'dockerfile', 'context', 'target', 'args', 'addHost', 'network', 'ssh'];
const DOCKERFILE_MODERN = [
  'final',
  'dependencies',
  'platform',
  'staged',
  'contextAddFile',
  'contextAddFiles',
  'cacheVersion',
  'secrets',
  'imageSpec',
];
const STAPEL_COMMON = [
  'image',
  'artifact',
  'from',
  'fromLatest',
  'fromCacheVersion',
  'fromImage',
  'fromArtifact',
  'git',
  'shell',
  'ansible',
  'mount',
  'import',
  'docker',
];
const STAPEL_LEGACY = ['herebyIAdmitThatFromLatestMightBreakReproducibility', 'fromImageArtifact', 'asLayers'];
const STAPEL_MODERN = ['final', 'dependencies', 'platform', 'secrets', 'imageSpec', 'disableGitAfterPatch', 'cacheVersion'];

const STAPEL_ONLY = new Set([...STAPEL_COMMON, ...STAPEL_LEGACY, 'disableGitAfterPatch'].filter((k) => k !== 'image'));
const DOCKERFILE_ONLY = new Set(['dockerfile', 'context', 'target', 'args', 'addHost', 'network', 'ssh', 'staged', 'contextAddFile', 'contextAddFiles']);

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

/** POSIX-normalized project-relative path; null when it leaves the project. */
function projectPath(p: string): string | null {
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return null;
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

interface Names {
  names: { name: string | null; at: LPos }[];
}

/** `image:` may be a string, a list of strings, or empty (the nameless image). */
function readImageNames(ctx: Ctx, e: LEntry): Names | null {
  const v = e.value;
  if (v.t === 's') {
    if (v.v === null) return { names: [{ name: null, at: v }] };
    if (typeof v.v === 'string') return { names: [{ name: v.v === '' ? null : v.v, at: v }] };
    ctx.error('invalid-image-name', `invalid image name \`${goValue(v)}\`!`, `Image names are strings; quote it: \`image: "${v.text}"\`.`, v);
    return null;
  }
  if (v.t === 'q') {
    if (v.items.length === 0) {
      ctx.error('empty-image-list', 'the `image:` list is empty', 'Name at least one image, for example `image: backend`.', v);
      return null;
    }
    const names: Names['names'] = [];
    let ok = true;
    for (const it of v.items) {
      if (it.t === 's' && typeof it.v === 'string') names.push({ name: it.v === '' ? null : it.v, at: it });
      else {
        ctx.error('invalid-image-name', `invalid image name \`${goValue(it)}\`!`, 'Each item of the `image:` list must be a string.', it);
        ok = false;
      }
    }
    return ok ? { names } : null;
  }
  ctx.error('invalid-image-name', `invalid image name \`${goValue(v)}\`!`, 'Write one name (`image: backend`) or a list of names (`image: [backend, worker]`).', v);
  return null;
}

function fieldsOf(ctx: Ctx, doc: LMap): Record<string, SourceLocation> {
  const out: Record<string, SourceLocation> = {};
  for (const e of doc.entries) if (e.key !== '__proto__' && !(e.key in out)) out[e.key] = ctx.loc(e);
  return out;
}

export interface DocumentInput {
  doc: LMap;
  index: number;
  raw: Record<string, unknown>;
}

/** Reads one image document; returns one image per name (none when the names cannot be read). */
export function readImageDocument(ctx: Ctx, input: DocumentInput, dockerfile: boolean, dialect: WerfDialect): ReadImage[] {
  const { doc } = input;
  const imageEntry = entryOf(doc, 'image');
  const artifactEntry = dockerfile ? undefined : entryOf(doc, 'artifact');
  ctx.image = undefined;

  let kind: ImageKind = dockerfile ? 'dockerfile' : 'stapel';
  let names: Names | null = null;
  let keyEntry: LEntry;
  if (artifactEntry && imageEntry) {
    ctx.error(
      'image-and-artifact',
      'unknown doc type: one and only one of `image: NAME` or `artifact: NAME` non-empty name required!',
      'A section is either an image or an artifact: remove `image:` or `artifact:`.',
      later(imageEntry, artifactEntry),
    );
    return [];
  }
  if (artifactEntry) {
    kind = 'artifact';
    keyEntry = artifactEntry;
    const name = readString(ctx, artifactEntry, 'artifact');
    if (!name) {
      if (name !== undefined || artifactEntry.value.t === 's') {
        ctx.error(
          'artifact-name-required',
          'unknown doc type: one of `image: NAME` or `artifact: NAME` non-empty name required!',
          'Give the artifact a name: `artifact: NAME`.',
          artifactEntry,
        );
      }
      return [];
    }
    names = { names: [{ name, at: artifactEntry.value }] };
  } else if (imageEntry) {
    keyEntry = imageEntry;
    names = readImageNames(ctx, imageEntry);
    if (!names) return [];
  } else {
    // Only a Dockerfile document can get here: Stapel documents are recognized by these very keys.
    // werf reads it into a list of no names and so builds nothing from it, without a word.
    ctx.warn(
      'image-name-required',
      'this Dockerfile section has no `image:`, so werf builds no image from it',
      'Add `image: NAME` to build it, or remove the section.',
      entryOf(doc, 'dockerfile') ?? doc,
    );
    return [];
  }

  ctx.image = names.names[0].name;
  const refs: ImageRef[] = [];
  const base: WerfImage = {
    name: null,
    kind,
    document: input.index,
    source: ctx.loc(keyEntry),
    nameSource: ctx.loc(keyEntry),
    fields: fieldsOf(ctx, doc),
    dependencies: [],
    dependsOn: [],
    final: kind !== 'artifact',
    raw: input.raw,
  };

  if (dockerfile) readDockerfileImage(ctx, doc, base, refs, dialect);
  else readStapelImage(ctx, doc, base, refs, dialect, names.names[0].name);

  if (kind === 'dockerfile' && ctx.rules.version === '2') {
    for (const n of names.names) {
      if (n.name === null) {
        ctx.error(
          'nameless-dockerfile-image',
          'nameless image (`image: ~`) is not supported, please specify an image name!',
          'werf v2 needs a name for every Dockerfile image: write `image: NAME`.',
          n.at,
        );
      }
    }
  }

  // dependsOn is filled by the cross-image checks, which know which import sources are external.
  return names.names.map((n) => ({
    image: { ...base, name: n.name, nameSource: ctx.loc(n.at), dependsOn: [] },
    nameAt: n.at,
    refs,
  }));
}

function readDockerfileImage(ctx: Ctx, doc: LMap, img: WerfImage, refs: ImageRef[], dialect: WerfDialect): void {
  checkKeys(
    ctx,
    doc,
    {
      allowed: keySet(dialect, DOCKERFILE_COMMON, DOCKERFILE_MODERN, []),
      explain: (k) =>
        STAPEL_ONLY.has(k)
          ? `\`${k}\` is a Stapel directive, but this section builds from a Dockerfile (it has \`dockerfile:\`); a section is one or the other.`
          : versionAdvice(dialect, k, DOCKERFILE_MODERN, []),
    },
    'a Dockerfile image section',
  );
  const modern = dialect !== 'v1.1';

  const dfEntry = entryOf(doc, 'dockerfile');
  const ctxEntry = entryOf(doc, 'context');
  const dockerfile = readString(ctx, dfEntry, 'dockerfile');
  const context = readString(ctx, ctxEntry, 'context');
  img.dockerfile = dockerfile || 'Dockerfile';
  if (context !== undefined) img.context = context;
  img.dockerfileRelativeTo = modern ? 'context' : 'project';

  if (dockerfile && isAbsolutePath(dockerfile)) {
    ctx.error(
      'dockerfile-path-absolute',
      '`dockerfile: PATH` required and should be relative to context!',
      modern ? `Write the path relative to \`context\` (${context ? `\`${context}\`` : 'the project root'}), without a leading \`/\`.` : 'Write the path relative to the project directory, without a leading `/`.',
      dfEntry!.value,
    );
    return;
  }
  const contextPath = projectPath(context || '.');
  if (contextPath === null && ctxEntry) {
    ctx.error('path-outside-project', `\`context: ${context}\` points outside the project directory`, 'Use a path inside the project, relative to its root.', ctxEntry.value);
  }
  const joined = modern ? `${contextPath ?? '.'}/${img.dockerfile}` : img.dockerfile;
  const dockerfilePath = projectPath(joined);
  if (dockerfilePath === null) {
    if (contextPath !== null) {
      ctx.error(
        'path-outside-project',
        `\`dockerfile: ${img.dockerfile}\` points outside the project directory`,
        modern ? 'The Dockerfile path is relative to `context` and must stay inside the project.' : 'Use a path inside the project, relative to its root.',
        dfEntry ? dfEntry.value : doc,
      );
    }
  } else img.dockerfilePath = dockerfilePath;

  const target = readString(ctx, entryOf(doc, 'target'), 'target');
  if (target !== undefined) img.target = target;
  const args = readArgs(ctx, entryOf(doc, 'args'));
  if (args) img.args = args;
  const addHost = readStringOrList(ctx, entryOf(doc, 'addHost'), 'addHost');
  if (addHost) img.addHost = addHost;
  const network = readString(ctx, entryOf(doc, 'network'), 'network');
  if (network !== undefined) img.network = network;
  const ssh = readString(ctx, entryOf(doc, 'ssh'), 'ssh');
  if (ssh !== undefined) img.ssh = ssh;

  if (!modern) return;
  const final = readBool(ctx, entryOf(doc, 'final'), 'final');
  if (final !== undefined) img.final = final;
  const staged = readBool(ctx, entryOf(doc, 'staged'), 'staged');
  if (staged !== undefined) img.staged = staged;
  readCommonModern(ctx, doc, img);
  const oneEntry = entryOf(doc, 'contextAddFile');
  const manyEntry = entryOf(doc, 'contextAddFiles');
  const one = readStringOrList(ctx, oneEntry, 'contextAddFile');
  const many = readStringOrList(ctx, manyEntry, 'contextAddFiles');
  if (one?.length && many?.length) {
    ctx.error(
      'context-add-file-conflict',
      'only one of `contextAddFiles` and `contextAddFile` can be used at a time',
      'Move everything into `contextAddFiles: []` and remove `contextAddFile`.',
      later(oneEntry!, manyEntry!),
    );
  } else if (one?.length || many?.length) img.contextAddFiles = one?.length ? one : many;
  img.dependencies = readDependencies(ctx, entryOf(doc, 'dependencies'), true, refs);
}

const INT_TEXT = [/^[-+]?0b[0-1_]+$/, /^[-+]?0[0-7_]+$/, /^[-+]?[0-9][0-9_]*$/, /^[-+]?0x[0-9a-fA-F_]+$/];

/** Go's `%v` for a float64: shortest digits, exponent form below 1e-4 and from 1e6 on (strconv 'g', -1). */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  const [mantissa, expText] = Math.abs(v).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const frac = digits.slice(1);
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (v === 0) return `${sign}0`;
  const dp = exp + 1;
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= digits.length) return `${sign}${digits}${'0'.repeat(dp - digits.length)}`;
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/**
 * Build args are `map[string]interface{}` in werf and reach docker as `fmt.Sprintf("%v")`, so an
 * unquoted value can change on the way: `3.10` becomes `3.1`, `yes` becomes `true`, an empty value
 * becomes `<nil>`. The model holds what werf passes, and a warning says when that is not what was written.
 */
function readArgs(ctx: Ctx, e: LEntry | undefined): Record<string, string> | undefined {
  const m = readMap(ctx, e, 'args');
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const it of m.entries) {
    const v = it.value;
    if (v.t !== 's') {
      ctx.error('wrong-type', `\`args.${it.key}\`: a string expected, got ${describe(v)}`, 'Build args are plain values; quote the text.', v);
      continue;
    }
    let passed: string;
    if (v.v === null) passed = '<nil>';
    else if (typeof v.v === 'string') passed = v.v;
    else if (typeof v.v === 'boolean') passed = String(v.v);
    else passed = INT_TEXT.some((re) => re.test(v.text)) ? String(v.v) : goFloat(v.v);
    if (it.key === '__proto__') continue;
    out[it.key] = passed;
    if (passed !== v.text || v.v === null) {
      ctx.warn(
        'arg-value-changed',
        `werf passes \`${it.key}=${passed}\`, not the \`${v.text}\` written here`,
        v.v === null ? `Write \`${it.key}: ""\` for an empty value.` : `Quote the value to pass it as written: \`${it.key}: "${v.text}"\`.`,
        v,
      );
    }
  }
  return out;
}

/** Directives both kinds gained in v1.2/v2. */
function readCommonModern(ctx: Ctx, doc: LMap, img: WerfImage): void {
  const platform = readStringList(ctx, entryOf(doc, 'platform'), 'platform');
  if (platform) img.platform = platform;
  const cacheVersion = readString(ctx, entryOf(doc, 'cacheVersion'), 'cacheVersion');
  if (cacheVersion !== undefined) img.cacheVersion = cacheVersion;
  const secrets = readSecrets(ctx, entryOf(doc, 'secrets'));
  if (secrets) img.secrets = secrets;
  const spec = readImageSpec(ctx, entryOf(doc, 'imageSpec'), 'imageSpec', false);
  if (spec) img.imageSpec = spec;
}

function readStapelImage(ctx: Ctx, doc: LMap, img: WerfImage, refs: ImageRef[], dialect: WerfDialect, name: string | null): void {
  const artifact = img.kind === 'artifact';
  checkKeys(
    ctx,
    doc,
    {
      allowed: keySet(dialect, STAPEL_COMMON, STAPEL_MODERN, STAPEL_LEGACY),
      explain: (k) =>
        DOCKERFILE_ONLY.has(k)
          ? `\`${k}\` is for Dockerfile images; add \`dockerfile:\` to build this image from a Dockerfile (Stapel directives then no longer apply).`
          : versionAdvice(dialect, k, STAPEL_MODERN, STAPEL_LEGACY),
    },
    artifact ? 'an artifact section' : 'a Stapel image section',
  );
  const legacyOk = dialect !== 'v2';
  const modern = dialect !== 'v1.1';

  // Bases: exactly one of them. Since werf v2.47 `from` and `fromImage` are one directive: either
  // may name an image of this config or an external image, and `fromImage` wins over `from`.
  const unified = ctx.rules.fromImageExternal;
  const fromImageWins = unified && readString(ctx, entryOf(doc, 'fromImage'), 'fromImage') !== undefined;
  const baseKeys = legacyOk ? ['from', 'fromImage', 'fromArtifact', 'fromImageArtifact'] : ['from', 'fromImage', 'fromArtifact'];
  const bases: LEntry[] = [];
  for (const key of baseKeys) {
    const e = entryOf(doc, key);
    const v = readString(ctx, e, key);
    if (!v || !e) continue;
    if (!(fromImageWins && key === 'from')) bases.push(e);
    else {
      ctx.warn(
        'werf-version-dependent',
        '`fromImage` overrides `from` here (werf v2.47 and newer); werf before v2.47 reports "conflict between `from` and `fromImage` directives!"',
        'Keep only `fromImage` (or only `from`) so every werf release reads the same base.',
        e,
      );
    }
    if (key === 'from') {
      img.from = v;
      if (unified && !fromImageWins && v !== name) refs.push({ kind: 'from', target: v, expects: 'any', at: e.value });
    } else if (key === 'fromImage') {
      img.fromImage = v;
      refs.push({ kind: 'fromImage', target: v, expects: 'image', at: e.value });
    } else if (key === 'fromArtifact') {
      img.fromArtifact = v;
      refs.push({ kind: 'fromArtifact', target: v, expects: 'artifact', at: e.value });
    } else {
      img.fromImageArtifact = v;
      refs.push({ kind: 'fromImageArtifact', target: v, expects: 'artifact', at: e.value });
    }
  }
  const artifactBase = dialect === 'v1.1' ? 'fromImageArtifact: ARTIFACT_NAME' : 'fromArtifact: ARTIFACT_NAME';
  // Under v2 rules `fromImageArtifact` is already reported as unknown; "no base" would only repeat it.
  const reportedBase = !legacyOk && entryOf(doc, 'fromImageArtifact') !== undefined;
  if (bases.length === 0 && !reportedBase) {
    ctx.error(
      'missing-base',
      `\`from: DOCKER_IMAGE\`, \`fromImage: IMAGE_NAME\` or \`${artifactBase}\` required!`,
      'Say what to build on: a registry image (`from: alpine:3.20`) or another image of this config (`fromImage: base`).',
      img.kind === 'artifact' ? entryOf(doc, 'artifact') ?? doc : entryOf(doc, 'image') ?? doc,
    );
  } else if (bases.length > 1) {
    ctx.error(
      'conflicting-base',
      `conflict between ${listAnd(bases.map((b) => `\`${b.key}\``))} directives!`,
      'Keep exactly one base directive.',
      bases[1],
    );
  }
  const fromCacheVersion = readString(ctx, entryOf(doc, 'fromCacheVersion'), 'fromCacheVersion');
  if (fromCacheVersion !== undefined) img.fromCacheVersion = fromCacheVersion;
  const latestEntry = entryOf(doc, 'fromLatest');
  const fromLatest = readBool(ctx, latestEntry, 'fromLatest');
  if (fromLatest !== undefined) img.fromLatest = fromLatest;
  if (legacyOk) {
    const admitted = readBool(ctx, entryOf(doc, 'herebyIAdmitThatFromLatestMightBreakReproducibility'), 'herebyIAdmitThatFromLatestMightBreakReproducibility');
    if (dialect === 'v1.1' && fromLatest && !admitted) {
      ctx.error(
        'from-latest-not-admitted',
        '`fromLatest: true` makes builds depend on the current digest of the base image, which breaks reproducibility',
        'werf v1.1 requires `herebyIAdmitThatFromLatestMightBreakReproducibility: true` next to `fromLatest: true`.',
        latestEntry!,
      );
    }
    const ia = entryOf(doc, 'fromImageArtifact');
    if (ia && img.fromImageArtifact) {
      ctx.warn(
        'deprecated-directive',
        '`fromImageArtifact` is deprecated',
        'Use `fromArtifact` (werf v1.2+), or better an image with `final: false` and `fromImage`.',
        ia,
      );
    }
    const asLayers = readBool(ctx, entryOf(doc, 'asLayers'), 'asLayers');
    if (asLayers !== undefined) img.asLayers = asLayers;
  }

  const gitSeq = readSeq(ctx, entryOf(doc, 'git'), 'git');
  if (gitSeq) img.git = readGit(ctx, gitSeq, dialect);
  const shellEntry = entryOf(doc, 'shell');
  const ansibleEntry = entryOf(doc, 'ansible');
  const shell = readShell(ctx, shellEntry);
  if (shell) img.shell = shell;
  const ansible = readAnsible(ctx, ansibleEntry);
  if (ansible) img.ansible = ansible;
  if (shell && ansible) {
    ctx.error('shell-and-ansible', 'can not use shell and ansible builders at the same time!', 'Pick one builder: keep either `shell` or `ansible`.', later(shellEntry!, ansibleEntry!));
  }
  const mountSeq = readSeq(ctx, entryOf(doc, 'mount'), 'mount');
  if (mountSeq) img.mount = readMounts(ctx, mountSeq);
  const importSeq = readSeq(ctx, entryOf(doc, 'import'), 'import');
  if (importSeq) img.import = readImports(ctx, importSeq, refs, modern);
  const dockerEntry = entryOf(doc, 'docker');
  if (dockerEntry) {
    if (artifact) {
      ctx.error('docker-in-artifact', '`docker` section is not supported for artifact!', 'Artifacts are never run; move the `docker` settings to the image that imports from it.', dockerEntry);
    } else {
      const docker = readDocker(ctx, dockerEntry);
      if (docker) img.docker = docker;
    }
  }

  if (!modern) return;
  const finalEntry = entryOf(doc, 'final');
  const final = readBool(ctx, finalEntry, 'final');
  if (final !== undefined) {
    if (artifact) ctx.error('artifact-unsupported-directive', '`final` directive is not supported for artifact!', 'Artifacts are never final; remove `final`.', finalEntry!);
    else img.final = final;
  }
  const dgapEntry = entryOf(doc, 'disableGitAfterPatch');
  const dgap = readBool(ctx, dgapEntry, 'disableGitAfterPatch');
  if (dgap !== undefined) {
    if (artifact && dgap) {
      ctx.error('artifact-unsupported-directive', '`disableGitAfterPatch` directive is not supported for artifact!', 'Artifacts never apply git patches after install; remove the key.', dgapEntry!);
    } else img.disableGitAfterPatch = dgap;
  }
  readCommonModern(ctx, doc, img);
  const depsEntry = entryOf(doc, 'dependencies');
  if (artifact && depsEntry && !(depsEntry.value.t === 's' && depsEntry.value.v === null)) {
    ctx.error(
      'artifact-unsupported-directive',
      `dependencies directive is specified for "${name ?? ''}" artifact, but dependencies are not supported for artifacts!`,
      'Use an image with `final: false` instead of an artifact if it needs dependencies.',
      depsEntry,
    );
  } else {
    img.dependencies = readDependencies(ctx, depsEntry, false, refs);
  }
}

