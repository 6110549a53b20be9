import { parseGoDuration } from './go-duration';
import { checkGoRegex } from './go-regex';
import { entryOf } from './lnode';
import type { LEntry, LMap, LPos } from './lnode';
import {
  checkKeys,
  describe,
  readBool,
  readInt,
  readMap,
  readSeq,
  readString,
  readStringList,
  readStringMap,
  type Ctx,
  type KeyRules,
} from './reader';
import { keySet, versionAdvice } from './sections';
import type {
  ImageSpec,
  ImageSpecConfig,
  ImageSpecHealthcheck,
  KeepPolicy,
  KeepPolicyLimit,
  ReferenceMatcher,
  WerfBuild,
  WerfCleanup,
  WerfDeploy,
  WerfDialect,
  WerfGitWorktree,
} from './types';

export const PROJECT_NAME_RE = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;
export const PROJECT_NAME_MAX = 50;

/** werf v2 keeps images built in the last 2 hours when `keepImagesBuiltWithinLastNHours` is not set. */
export const DEFAULT_KEEP_IMAGES_BUILT_WITHIN_LAST_N_HOURS = 2;

/** A name that passes werf's project-name check, derived from a folder or repository name. */
export function suggestProjectName(from: string | undefined): string {
  const base = (from ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const cut = base.slice(0, PROJECT_NAME_MAX).replace(/-+$/, '');
  return cut || 'my-project';
}

function versionHint(dialect: WerfDialect, modern: string[], legacy: string[]): (key: string) => string | undefined {
  return (key) => versionAdvice(dialect, key, modern, legacy);
}

const META_COMMON = ['configVersion', 'project', 'deploy', 'cleanup'];
const IMAGE_KEYS_IN_META = new Set(['image', 'artifact', 'dockerfile', 'context', 'target', 'from', 'fromImage', 'git', 'shell', 'ansible', 'import', 'docker']);
const META_MODERN = ['build', 'gitWorktree'];
const DEPLOY_COMMON = ['helmRelease', 'helmReleaseSlug', 'namespace', 'namespaceSlug'];
const DEPLOY_MODERN = ['helmChartDir'];
const CLEANUP_COMMON = ['keepPolicies'];
const CLEANUP_MODERN = [
  'disable',
  'disableKubernetesBasedPolicy',
  'disableGitHistoryBasedPolicy',
  'disableBuiltWithinLastNHoursPolicy',
  'keepImagesBuiltWithinLastNHours',
];

export interface MetaFields {
  configVersion: number | null;
  project: string | null;
  deploy?: WerfDeploy;
  cleanup?: WerfCleanup;
  build?: WerfBuild;
  gitWorktree?: WerfGitWorktree;
}

/** configVersion alone, read before everything else because it picks the dialect. */
export function readConfigVersion(doc: LMap): number | null {
  const e = entryOf(doc, 'configVersion');
  if (!e || e.value.t !== 's' || typeof e.value.v !== 'number' || !e.value.plain) return null;
  return Math.trunc(e.value.v) === 1 ? 1 : e.value.v;
}

export function readMeta(ctx: Ctx, doc: LMap, dialect: WerfDialect, projectDirName: string | undefined): MetaFields {
  const versionAdvice = versionHint(dialect, META_MODERN, []);
  checkKeys(
    ctx,
    doc,
    {
      allowed: keySet(dialect, META_COMMON, META_MODERN, []),
      explain: (k) =>
        IMAGE_KEYS_IN_META.has(k)
          ? `\`${k}\` belongs to an image; put each image in its own document after a \`---\` line.`
          : versionAdvice(k),
    },
    'the meta section',
  );

  const cvEntry = entryOf(doc, 'configVersion');
  let configVersion: number | null = null;
  if (cvEntry) {
    const v = cvEntry.value;
    // Every werf release, v2 included, requires 1. werf decodes the field into an int with yaml.v2,
    // which truncates a float, so `1.0` (werf's own render fixture) and even `1.9` read as 1.
    const accepted = v.t === 's' && v.plain && typeof v.v === 'number' && Math.trunc(v.v) === 1;
    if (accepted) configVersion = 1;
    else {
      const quoted = v.t === 's' && !v.plain && (v.text === '1' || v.text === '2');
      ctx.error(
        'meta-config-version',
        "'configVersion: 1' field required!",
        quoted
          ? 'Write the number without quotes: `configVersion: 1`.'
          : `Got ${describe(v)}; werf only reads \`configVersion: 1\` (werf v2 projects also write 1).`,
        v.t === 's' && v.v === null ? cvEntry : v,
      );
    }
  }

  let project: string | null = null;
  const pEntry = entryOf(doc, 'project');
  const pText = readString(ctx, pEntry, 'project');
  const suggestion = suggestProjectName(pText || projectDirName);
  if (!pText) {
    ctx.error(
      'project-required',
      "'project' field cannot be empty!",
      `Name the project, for example \`project: ${suggestion}\`.`,
      pEntry ? pEntry.value : cvEntry ?? doc,
    );
  } else if (!PROJECT_NAME_RE.test(pText) || pText.length > PROJECT_NAME_MAX) {
    const why = pText.length > PROJECT_NAME_MAX
      ? `it is ${pText.length} characters long, the limit is ${PROJECT_NAME_MAX}`
      : 'only lowercase letters, digits and inner dashes are allowed';
    ctx.error(
      'project-invalid',
      `bad project name "${pText}" specified in config: ${why}`,
      `Use a name that matches ${PROJECT_NAME_RE.source}, for example \`project: ${suggestion}\`.`,
      pEntry!.value,
    );
    project = pText;
  } else {
    project = pText;
  }

  const out: MetaFields = { configVersion, project };
  const deploy = readDeploy(ctx, entryOf(doc, 'deploy'), dialect);
  if (deploy) out.deploy = deploy;
  const cleanup = readCleanup(ctx, entryOf(doc, 'cleanup'), dialect);
  if (cleanup) out.cleanup = cleanup;
  if (dialect !== 'v1.1') {
    const build = readBuild(ctx, entryOf(doc, 'build'));
    if (build) out.build = build;
    const gw = readGitWorktree(ctx, entryOf(doc, 'gitWorktree'));
    if (gw) out.gitWorktree = gw;
  }
  return out;
}

function readDeploy(ctx: Ctx, e: LEntry | undefined, dialect: WerfDialect): WerfDeploy | undefined {
  const m = readMap(ctx, e, 'deploy');
  if (!m || !e) return undefined;
  checkKeys(ctx, m, { allowed: keySet(dialect, DEPLOY_COMMON, DEPLOY_MODERN, []), explain: versionHint(dialect, DEPLOY_MODERN, []) }, '`deploy`');
  const out: WerfDeploy = { source: ctx.loc(e) };
  for (const key of ['helmChartDir', 'helmRelease', 'namespace'] as const) {
    const ke = entryOf(m, key);
    if (key === 'helmChartDir' && dialect === 'v1.1') continue;
    const v = readString(ctx, ke, `deploy.${key}`);
    if (ke && ke.value.t === 's' && (v === undefined || v === '')) {
      ctx.error('deploy-empty-field', `${key} field cannot be empty!`, `Give \`deploy.${key}\` a value or remove the key.`, ke);
    } else if (v !== undefined) out[key] = v;
  }
  const hs = readBool(ctx, entryOf(m, 'helmReleaseSlug'), 'deploy.helmReleaseSlug');
  if (hs !== undefined) out.helmReleaseSlug = hs;
  const ns = readBool(ctx, entryOf(m, 'namespaceSlug'), 'deploy.namespaceSlug');
  if (ns !== undefined) out.namespaceSlug = ns;
  return out;
}

function readCleanup(ctx: Ctx, e: LEntry | undefined, dialect: WerfDialect): WerfCleanup | undefined {
  const m = readMap(ctx, e, 'cleanup');
  if (!m || !e) return undefined;
  checkKeys(ctx, m, { allowed: keySet(dialect, CLEANUP_COMMON, CLEANUP_MODERN, []), explain: versionHint(dialect, CLEANUP_MODERN, []) }, '`cleanup`');
  const out: WerfCleanup = { keepPolicies: [], source: ctx.loc(e) };
  if (dialect !== 'v1.1') {
    for (const key of ['disable', 'disableKubernetesBasedPolicy', 'disableGitHistoryBasedPolicy', 'disableBuiltWithinLastNHoursPolicy'] as const) {
      const b = readBool(ctx, entryOf(m, key), `cleanup.${key}`);
      if (b !== undefined) out[key] = b;
    }
    const hEntry = entryOf(m, 'keepImagesBuiltWithinLastNHours');
    const hours = readInt(ctx, hEntry, 'cleanup.keepImagesBuiltWithinLastNHours');
    if (hours !== undefined && hEntry) {
      if (hours < 0) {
        ctx.error('negative-hours', `\`cleanup.keepImagesBuiltWithinLastNHours\` cannot be negative, got ${hours}`, 'Use 0 to turn the policy off, or a positive number of hours.', hEntry.value);
      } else out.keepImagesBuiltWithinLastNHours = hours;
    }
  }
  const seq = readSeq(ctx, entryOf(m, 'keepPolicies'), 'cleanup.keepPolicies');
  seq?.items.forEach((item, i) => {
    const p = readKeepPolicy(ctx, item, `cleanup.keepPolicies[${i}]`);
    if (p) out.keepPolicies.push(p);
  });
  return out;
}

const POLICY_KEYS: KeyRules = { allowed: new Set(['references', 'imagesPerReference']) };
const REFERENCES_KEYS: KeyRules = { allowed: new Set(['branch', 'tag', 'limit']) };
const LIMIT_KEYS: KeyRules = { allowed: new Set(['last', 'in', 'operator']) };

function readKeepPolicy(ctx: Ctx, item: LMap['entries'][number]['value'], path: string): KeepPolicy | undefined {
  if (item.t !== 'm') {
    ctx.error('wrong-type', `\`${path}\`: a map expected, got ${describe(item)}`, 'Each keep policy is a map with `references` and optionally `imagesPerReference`.', item);
    return undefined;
  }
  checkKeys(ctx, item, POLICY_KEYS, 'a keep policy');
  const refsEntry = entryOf(item, 'references');
  const refs = readMap(ctx, refsEntry, `${path}.references`);
  if (!refs) {
    if (!refsEntry || (refsEntry.value.t === 's' && refsEntry.value.v === null)) {
      ctx.error(
        'keep-policy-references-missing',
        'cleanup keep policy must have references section!',
        'Add `references:` with `branch: NAME|/REGEX/` or `tag: NAME|/REGEX/`.',
        refsEntry ?? item,
      );
    }
    return undefined;
  }
  checkKeys(ctx, refs, REFERENCES_KEYS, '`references`');
  const policy: KeepPolicy = { references: {}, source: ctx.loc(item) };
  const branchEntry = entryOf(refs, 'branch');
  const tagEntry = entryOf(refs, 'tag');
  const branch = readString(ctx, branchEntry, `${path}.references.branch`);
  const tag = readString(ctx, tagEntry, `${path}.references.tag`);
  if (!branch && !tag) {
    ctx.error(
      'keep-policy-reference-required',
      'tag `tag: string|REGEX` or branch `branch: string|REGEX` required for cleanup keep policy!',
      'Add `branch:` (for example `branch: /.*/`) or `tag:` under `references`.',
      branchEntry ?? tagEntry ?? refs,
    );
  } else if (branch && tag) {
    ctx.error(
      'keep-policy-reference-conflict',
      'specify only tag `tag: string|REGEX` or branch `branch: string|REGEX` for cleanup keep policy!',
      'A policy covers either branches or tags; split it into two policies.',
      later(branchEntry!, tagEntry!),
    );
  } else if (branch) {
    const m = readMatcher(ctx, branch, 'branch', branchEntry!);
    if (m !== undefined) policy.references.branch = m;
  } else if (tag) {
    const m = readMatcher(ctx, tag, 'tag', tagEntry!);
    if (m !== undefined) policy.references.tag = m;
  }
  const limit = readLimit(ctx, entryOf(refs, 'limit'), `${path}.references.limit`);
  if (limit) policy.references.limit = limit;
  const ipr = readLimit(ctx, entryOf(item, 'imagesPerReference'), `${path}.imagesPerReference`);
  if (ipr) policy.imagesPerReference = ipr;
  return policy;
}

function later(a: LPos, b: LPos): LPos {
  return b.line > a.line || (b.line === a.line && b.col > a.col) ? b : a;
}

function readMatcher(ctx: Ctx, value: string, name: 'branch' | 'tag', e: LEntry): ReferenceMatcher | undefined {
  if (!(value.startsWith('/') && value.endsWith('/'))) return value;
  const regex = value.length >= 2 ? value.slice(1, -1) : '';
  const check = checkGoRegex(regex);
  if (!check.valid) {
    ctx.error(
      'keep-policy-bad-regex',
      `invalid value "${value}" for \`${name}: string|REGEX\`!`,
      `The text between the slashes is not a valid Go regular expression (${check.error}).`,
      e.value,
    );
    return undefined;
  }
  return { regex };
}

function readLimit(ctx: Ctx, e: LEntry | undefined, path: string): KeepPolicyLimit | undefined {
  const m = readMap(ctx, e, path);
  if (!m) return undefined;
  checkKeys(ctx, m, LIMIT_KEYS, `\`${path.split('.').pop() ?? path}\``);
  const out: KeepPolicyLimit = {};
  const lastEntry = entryOf(m, 'last');
  if (lastEntry && !(lastEntry.value.t === 's' && lastEntry.value.v === null)) {
    const v = lastEntry.value;
    if (v.t === 's' && typeof v.v === 'number' && Number.isInteger(v.v) && v.v >= -1) out.last = v.v;
    else {
      ctx.error(
        'keep-policy-bad-last',
        `\`${path}.last\`: an integer of -1 or more expected, got ${describe(v)}`,
        'Use a count such as `last: 10`, or `last: -1` for no limit.',
        v,
      );
    }
  }
  const inEntry = entryOf(m, 'in');
  if (inEntry && !(inEntry.value.t === 's' && inEntry.value.v === null)) {
    readDuration(ctx, inEntry, path, out);
  }
  const opEntry = entryOf(m, 'operator');
  const op = readString(ctx, opEntry, `${path}.operator`);
  if (op !== undefined) {
    if (op === 'And' || op === 'Or') out.operator = op;
    else {
      const fix = op.toLowerCase() === 'and' ? 'And' : op.toLowerCase() === 'or' ? 'Or' : null;
      ctx.error(
        'keep-policy-bad-operator',
        `unsupported value "${op}" for \`operator: Or|And\`!`,
        fix ? `Operator names are case-sensitive: write \`operator: ${fix}\`.` : 'Use `And` (both limits) or `Or` (either limit).',
        opEntry!.value,
      );
    }
  } else if (out.last !== undefined && out.in !== undefined) {
    out.operator = 'And';
  }
  return out;
}

function readDuration(ctx: Ctx, e: LEntry, path: string, out: KeepPolicyLimit): void {
  const v = e.value;
  if (v.t === 's' && typeof v.v === 'string') {
    const ms = parseGoDuration(v.v);
    if (ms === null) {
      ctx.error(
        'keep-policy-bad-duration',
        `\`${path}.in\`: invalid duration "${v.v}"`,
        'Use a Go duration such as `168h`, `30m` or `1h30m`; units are ns, us, ms, s, m, h (there is no `d`).',
        v,
      );
      return;
    }
    out.in = v.v;
    out.inMs = ms;
    return;
  }
  if (v.t === 's' && typeof v.v === 'number' && Number.isInteger(v.v)) {
    // go-yaml turns a bare integer into a time.Duration of that many nanoseconds.
    out.in = `${v.v}ns`;
    out.inMs = v.v / 1e6;
    ctx.warn(
      'keep-policy-duration-number',
      `\`${path}.in: ${v.text}\` is read as ${v.text} nanoseconds`,
      `Add a unit, for example \`in: ${v.text}h\`.`,
      v,
    );
    return;
  }
  ctx.error('keep-policy-bad-duration', `\`${path}.in\`: a duration such as "168h" expected, got ${describe(v)}`, 'Use a Go duration such as `168h`.', v);
}

const BUILD_KEYS = new Set(['platform', 'imageSpec', 'cacheVersion', 'staged']);

function readBuild(ctx: Ctx, e: LEntry | undefined): WerfBuild | undefined {
  const m = readMap(ctx, e, 'build');
  if (!m) return undefined;
  checkKeys(ctx, m, { allowed: BUILD_KEYS }, '`build`');
  const out: WerfBuild = {};
  const platform = readStringList(ctx, entryOf(m, 'platform'), 'build.platform');
  if (platform) out.platform = platform;
  const cv = readString(ctx, entryOf(m, 'cacheVersion'), 'build.cacheVersion');
  if (cv !== undefined) out.cacheVersion = cv;
  const staged = readBool(ctx, entryOf(m, 'staged'), 'build.staged');
  if (staged !== undefined) out.staged = staged;
  const spec = readImageSpec(ctx, entryOf(m, 'imageSpec'), 'build.imageSpec', true);
  if (spec) out.imageSpec = spec;
  return out;
}

const GIT_WORKTREE_KEYS = new Set(['forceShallowClone', 'allowUnshallow', 'allowFetchOriginBranchesAndTags']);

function readGitWorktree(ctx: Ctx, e: LEntry | undefined): WerfGitWorktree | undefined {
  const m = readMap(ctx, e, 'gitWorktree');
  if (!m) return undefined;
  checkKeys(ctx, m, { allowed: GIT_WORKTREE_KEYS }, '`gitWorktree`');
  const out: WerfGitWorktree = {};
  for (const key of GIT_WORKTREE_KEYS) {
    const b = readBool(ctx, entryOf(m, key), `gitWorktree.${key}`);
    if (b !== undefined) out[key as keyof WerfGitWorktree] = b;
  }
  return out;
}

const SPEC_KEYS = new Set(['author', 'clearHistory', 'config']);
const SPEC_CONFIG_GLOBAL = ['removeWerfLabels', 'keepEssentialWerfLabels', 'clearWerfLabels', 'removeLabels', 'labels'];
const SPEC_CONFIG_IMAGE = [
  ...SPEC_CONFIG_GLOBAL,
  'removeVolumes',
  'removeEnv',
  'clearCmd',
  'clearEntrypoint',
  'clearUser',
  'clearWorkingDir',
  'volumes',
  'env',
  'expose',
  'user',
  'cmd',
  'entrypoint',
  'workingDir',
  'stopSignal',
  'healthcheck',
];
// werf's healthcheck struct has no YAML tags, so go-yaml uses the lowercased Go field names.
const HEALTHCHECK_KEYS = new Set(['test', 'interval', 'timeout', 'startperiod', 'retries']);

export function readImageSpec(
  ctx: Ctx,
  e: LEntry | undefined,
  path: string,
  global: boolean,
): ImageSpec | undefined {
  const m = readMap(ctx, e, path);
  if (!m) return undefined;
  checkKeys(ctx, m, { allowed: SPEC_KEYS }, `\`${path}\``);
  const out: ImageSpec = {};
  const author = readString(ctx, entryOf(m, 'author'), `${path}.author`);
  if (author !== undefined) out.author = author;
  const ch = readBool(ctx, entryOf(m, 'clearHistory'), `${path}.clearHistory`);
  if (ch !== undefined) out.clearHistory = ch;
  const cfgEntry = entryOf(m, 'config');
  const cfg = readMap(ctx, cfgEntry, `${path}.config`);
  if (!cfg) return out;
  const allowed = new Set(global ? SPEC_CONFIG_GLOBAL : SPEC_CONFIG_IMAGE);
  checkKeys(
    ctx,
    cfg,
    {
      allowed,
      explain: (k) => (global && SPEC_CONFIG_IMAGE.includes(k) ? `\`${k}\` can only be set per image (in the image's own \`imageSpec.config\`).` : undefined),
    },
    `\`${path}.config\``,
  );
  const c: ImageSpecConfig = {};
  for (const key of ['removeWerfLabels', 'keepEssentialWerfLabels', 'clearWerfLabels', 'clearCmd', 'clearEntrypoint', 'clearUser', 'clearWorkingDir'] as const) {
    if (!allowed.has(key)) continue;
    const b = readBool(ctx, entryOf(cfg, key), `${path}.config.${key}`);
    if (b !== undefined) c[key] = b;
  }
  for (const key of ['removeLabels', 'removeVolumes', 'removeEnv', 'volumes', 'expose', 'cmd', 'entrypoint'] as const) {
    if (!allowed.has(key)) continue;
    const l = readStringList(ctx, entryOf(cfg, key), `${path}.config.${key}`);
    if (l) c[key] = l;
  }
  for (const key of ['labels', 'env'] as const) {
    if (!allowed.has(key)) continue;
    const sm = readStringMap(ctx, entryOf(cfg, key), `${path}.config.${key}`);
    if (sm) c[key] = sm;
  }
  for (const key of ['user', 'workingDir', 'stopSignal'] as const) {
    if (!allowed.has(key)) continue;
    const s = readString(ctx, entryOf(cfg, key), `${path}.config.${key}`);
    if (s !== undefined) c[key] = s;
  }
  if (allowed.has('healthcheck')) {
    const hm = readMap(ctx, entryOf(cfg, 'healthcheck'), `${path}.config.healthcheck`);
    if (hm) {
      checkKeys(
        ctx,
        hm,
        { allowed: HEALTHCHECK_KEYS, explain: (k) => (k === 'startPeriod' ? 'werf reads this key as `startperiod` (all lowercase).' : undefined) },
        '`healthcheck`',
      );
      const h: ImageSpecHealthcheck = {};
      const test = readStringList(ctx, entryOf(hm, 'test'), `${path}.config.healthcheck.test`);
      if (test) h.test = test;
      const pairs: [string, keyof Omit<ImageSpecHealthcheck, 'test'>][] = [
        ['interval', 'interval'],
        ['timeout', 'timeout'],
        ['startperiod', 'startPeriod'],
        ['retries', 'retries'],
      ];
      for (const [key, field] of pairs) {
        const n = readInt(ctx, entryOf(hm, key), `${path}.config.healthcheck.${key}`);
        if (n !== undefined) h[field] = n;
      }
      c.healthcheck = h;
    }
  }
  out.config = c;
  return out;
}

export function firstKeyPos(m: LMap): LPos {
  return m.entries[0] ?? m;
}
