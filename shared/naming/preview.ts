import type { Problem, Severity } from '../problems';
import { implementationIds, implementationInfo, isImplementation, repositoryDepthLimits } from '../registry/implementation-registry';
import { detectParsed, parseImagesRepo, registryHostCaution, type Detection } from '../registry/detect';
import type { Implementation, ImplementationChoice } from '../registry/implementations';
import { resolveRepoMode, type RepoMode, type RequestedRepoMode } from './repo-mode';
import { TAG_MAX_LENGTH, tagValue, type TagStrategy } from './tags';

export interface PreviewInput {
  /** werf.yaml images; `null` (or "") is the nameless image (`image: ~`). */
  images: { name: string | null }[];
  imagesRepo: string;
  mode: RequestedRepoMode;
  implementation: ImplementationChoice;
  tags: { strategy: TagStrategy; raw: string }[];
}

export interface PreviewTag {
  strategy: TagStrategy;
  /** The strategy's value (`latest`, a slugged branch…). */
  value: string;
  /** The docker tag actually pushed: the value, or `IMAGE-value` in monorepo. */
  tag: string;
  reference: string;
  /**
   * Why werf or the registry would refuse this name (the messages of the error problems that
   * concern it); absent when nothing is known to be wrong. An invalid name is never offered for copy.
   */
  invalid?: string[];
}

export interface PreviewImage {
  name: string | null;
  tags: PreviewTag[];
  /** A later definition of a name an earlier image already has: werf refuses the config. */
  duplicate?: true;
}

export interface PreviewProblem {
  severity: Severity;
  /** The image the problem is about; null for the nameless image and for problems about the whole preview. */
  image: string | null;
  /** Tells the two nulls apart: `preview` problems (address, mode, tag values) concern no single image. */
  scope: 'image' | 'preview';
  message: string;
  code: string;
  hint?: string;
}

/** The shape the CLI prints as JSON. */
export interface PreviewResult {
  /** Cleaned address, trailing `/` stripped. */
  imagesRepo: string;
  implementation: Implementation;
  implementationSource: 'detected' | 'override';
  mode: RepoMode | null;
  modeSource: 'auto' | 'explicit';
  modeReason: string;
  detection: Detection;
  images: PreviewImage[];
  problems: PreviewProblem[];
}

/** distribution's limit on host + path (reference.NameTotalLengthMax); tags have their own 128. */
export const NAME_TOTAL_LENGTH_MAX = 255;

// distribution's path-component grammar, with the separator written as `-+` rather than `[-]*`:
// the optional form makes `[a-z0-9]+(…[a-z0-9]+)*` ambiguous and backtrack exponentially on a
// long invalid name; requiring a separator per repetition keeps matching linear.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const UPPERCASE = /[A-Z]/;
const TAG_PREFIX = /^\w[\w.-]*$/;

/** `image` undefined: the problem is about the whole preview, not about one image. */
type Sink = (problem: Problem, image?: string | null) => void;

function toPreviewProblem(problem: Problem, image: string | null | undefined): PreviewProblem {
  const out: PreviewProblem = { severity: problem.severity, image: image ?? null, scope: image === undefined ? 'preview' : 'image', message: problem.message, code: problem.code };
  if (problem.hint !== undefined) out.hint = problem.hint;
  return out;
}

interface ResolvedTag {
  strategy: TagStrategy;
  value: string;
  /** Set when werf refuses the value: the row is still shown, with what was typed, and marked. */
  refused?: string;
}

/** Problems about a tag value: they make that tag's names invalid, not every name of the preview. */
const TAG_VALUE_CODES = new Set(['tag-invalid', 'tag-empty', 'tag-strategy-invalid']);

function resolveTags(tags: PreviewInput['tags'], report: Sink): ResolvedTag[] {
  const out: ResolvedTag[] = [];
  const seen = new Map<string, TagStrategy>();
  for (const { strategy, raw } of tags) {
    const { value, problems } = tagValue(strategy, raw);
    for (const p of problems) report(p);
    if (value === null) {
      // A value typed by the user (custom, commit) is shown as typed and marked; an empty one has no row.
      const refusal = problems.find((p) => p.severity === 'error');
      if (raw !== '' && refusal !== undefined && (strategy === 'custom' || strategy === 'git-commit')) {
        // The row names the value briefly; the full werf message is in the problem list once.
        const shown = raw.length > 40 ? `${raw.slice(0, 24)}…(${raw.length} characters)` : raw;
        out.push({ strategy, value: raw, refused: `werf refuses the tag "${shown}": a docker tag is letters, digits, "_", "." and "-", at most ${TAG_MAX_LENGTH} characters` });
      }
      continue;
    }
    const first = seen.get(value);
    if (first !== undefined) {
      report({
        severity: 'warning',
        code: 'tag-duplicate',
        message: `Tag "${value}" comes from both ${first} and ${strategy}; werf publishes it twice and the later push overwrites the earlier one`,
        hint: 'Drop one of the two tags.',
      });
      continue;
    }
    seen.set(value, strategy);
    out.push({ strategy, value });
  }
  return out;
}

/** First invalid component of a slash-separated path, or null when every component is valid. */
function invalidComponent(path: string): string | null {
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) return component;
  }
  return null;
}

function depthOf(path: string | null): number {
  if (path === null || path === '') return 0;
  let depth = 1;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47 /* '/' */) depth++;
  return depth;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Composes the references werf would publish (§1.2) and adds the checks werf leaves to the
 * registry at push time. One call does all per-address work once; the per-image loop is plain
 * string building and Map lookups, so hundreds of images stay well under a millisecond.
 */
export function previewNames(input: PreviewInput): PreviewResult {
  const problems: PreviewProblem[] = [];
  const report: Sink = (problem, image) => {
    problems.push(toPreviewProblem(problem, problem.image !== undefined ? problem.image : image));
  };

  const parsed = parseImagesRepo(input.imagesRepo);
  for (const p of parsed.problems) report(p);
  const detection = detectParsed(parsed);
  const repo = parsed.address;

  let implementation: Implementation = detection.implementation;
  let implementationSource: PreviewResult['implementationSource'] = 'detected';
  const choice: string = input.implementation;
  if (choice !== 'auto' && choice !== '') {
    if (isImplementation(choice)) {
      implementation = choice;
      implementationSource = 'override';
    } else {
      report({
        severity: 'error',
        code: 'implementation-invalid',
        message: `specified docker registry implementation '${choice}' is not supported`,
        hint: `Use auto or one of: ${implementationIds().join(', ')}. The detected implementation is used meanwhile.`,
      });
    }
  }

  if (repo !== '') {
    const caution = registryHostCaution(detection.registry);
    if (caution !== null) report({ severity: 'warning', code: 'registry-host-suspicious', message: caution });
    if (implementationSource === 'detected' && detection.werfWouldSay !== detection.implementation) {
      report({
        severity: 'warning',
        code: 'werf-detects-differently',
        message: `werf would treat ${detection.registry} as "${detection.werfWouldSay}"; Stowage detected "${detection.implementation}"`,
        hint:
          detection.registry === 'localhost'
            ? "werf's registry client reads a bare localhost/... as a Docker Hub path; write the port (e.g. localhost:5000/...) so werf sees a host."
            : `Pass --images-repo-implementation=${detection.implementation} to werf v1.1 (--repo-container-registry=${detection.implementation} in v1.2+) so it names and cleans up the same way.`,
      });
    }
  }

  const shownRepo = addressAsTyped(input.imagesRepo, repo);
  const resolution = resolveRepoMode(detection, implementation, input.mode);
  for (const p of resolution.problems) report(p);
  const mode = repo === '' ? null : resolution.mode;
  const requested: string = input.mode;
  const modeSource: PreviewResult['modeSource'] = requested === 'auto' || requested === '' ? 'auto' : 'explicit';

  if (implementationSource === 'override' && repo !== '' && detection.implementation !== 'default' && detection.implementation !== implementation) {
    report({
      severity: 'warning',
      code: 'implementation-contradicts-host',
      message: `${detection.registry} is ${implementationInfo(detection.implementation).title}, but the implementation is set to ${implementationInfo(implementation).title}`,
      hint: `The names, repo mode and cleanup follow ${implementationInfo(implementation).title}'s rules, which this registry does not have. Choose auto unless the host only looks like ${implementationInfo(detection.implementation).title}.`,
    });
  }

  const allTags = resolveTags(input.tags, report);
  const images: PreviewImage[] = input.images.map((image) => ({ name: image.name === '' ? null : image.name, tags: [] }));
  reportDuplicates(images, report);

  if (mode !== null) {
    composeAll(images, allTags, {
      repo,
      shownRepo,
      mode,
      implementation,
      detection,
      writtenRepository: parsed.repository,
      modeHasErrors: resolution.problems.some((p) => p.severity === 'error'),
      report,
    });
    markInvalid(images, problems);
  }

  return {
    imagesRepo: repo,
    implementation,
    implementationSource,
    mode,
    modeSource,
    // The reason quotes the address; quote it as typed, as the names do.
    modeReason: repo !== '' && shownRepo !== repo ? resolution.reason.split(repo).join(shownRepo) : resolution.reason,
    detection,
    images,
    problems,
  };
}

/**
 * The cleaned address with the spaces the user typed put back. parseImagesRepo removes them so
 * detection still works while typing; the names shown must not: `shop app` never becomes `shopapp`.
 * The input is parsed again with each whitespace character swapped for a control character that
 * no step of the clean-up touches, then swapped back.
 */
function addressAsTyped(input: string, cleaned: string): string {
  const trimmed = input.trim();
  if (!/\s/.test(trimmed)) return cleaned;
  const spaces: string[] = [];
  const marked = trimmed.replace(/\s/g, (c) => {
    spaces.push(c);
    return SPACE_MARK;
  });
  let i = 0;
  return parseImagesRepo(marked).address.replace(SPACE_MARK_ALL, () => spaces[i++] ?? ' ');
}

const SPACE_MARK = '\u0001';
const SPACE_MARK_ALL = /\u0001/g;

/** werf refuses a config that defines a name twice; the second definition is shown, marked, not dropped. */
function reportDuplicates(images: PreviewImage[], report: Sink): void {
  const seen = new Set<string | null>();
  for (const image of images) {
    if (!seen.has(image.name)) {
      seen.add(image.name);
      continue;
    }
    image.duplicate = true;
    report(
      {
        severity: 'error',
        code: 'image-name-duplicate',
        message: `${image.name === null ? 'The nameless image' : `Image "${image.name}"`} is defined more than once; werf refuses the config ("conflict between images names!")`,
        hint: 'Rename or remove one of the definitions in werf.yaml.',
      },
      image.name,
    );
  }
}

/**
 * Every error-level problem makes the names it concerns invalid: preview-wide errors (address,
 * mode, implementation) all of them, an image's errors that image's. A composed monorepo tag over
 * the length limit is checked per tag, as only those tags fail.
 */
function markInvalid(images: PreviewImage[], problems: readonly PreviewProblem[]): void {
  const everywhere: string[] = [];
  const byImage = new Map<string | null, string[]>();
  for (const p of problems) {
    if (p.severity !== 'error' || p.code === 'monorepo-tag-too-long' || TAG_VALUE_CODES.has(p.code)) continue;
    if (p.scope === 'preview') {
      everywhere.push(p.message);
      continue;
    }
    const list = byImage.get(p.image);
    if (list) list.push(p.message);
    else byImage.set(p.image, [p.message]);
  }
  for (const image of images) {
    const own = byImage.get(image.name) ?? [];
    for (const tag of image.tags) {
      const reasons = [...(tag.invalid ?? []), ...everywhere, ...own];
      if (tag.tag.length > TAG_MAX_LENGTH && tag.value.length <= TAG_MAX_LENGTH) reasons.push(`The tag "${tag.tag}" is ${tag.tag.length} characters; registries accept at most ${TAG_MAX_LENGTH}`);
      if (reasons.length > 0) tag.invalid = reasons;
    }
  }
}

interface ComposeContext {
  repo: string;
  /** The address as the user typed it (spaces kept), which the shown references are built from. */
  shownRepo: string;
  mode: RepoMode;
  implementation: Implementation;
  detection: Detection;
  writtenRepository: string | null;
  modeHasErrors: boolean;
  report: Sink;
}

function composeAll(images: PreviewImage[], allTags: ResolvedTag[], ctx: ComposeContext): void {
  // Refused values are shown but take no part in the length and collision checks: they have their error.
  const tags = allTags.filter((t) => t.refused === undefined);
  const { repo, shownRepo, mode, implementation, report } = ctx;
  const title = implementationInfo(implementation).title;
  const limits = repositoryDepthLimits(implementation, ctx.detection.registry);
  const addressDepth = depthOf(ctx.writtenRepository);
  const hasNameless = images.some((image) => image.name === null);

  if (ctx.writtenRepository !== null) {
    const bad = invalidComponent(ctx.writtenRepository);
    if (bad !== null) {
      report(
        UPPERCASE.test(ctx.writtenRepository)
          ? {
              severity: 'error',
              code: 'repository-uppercase',
              message: `The repository path "${ctx.writtenRepository}" contains uppercase letters; registries accept only lowercase repository names`,
              hint: 'Write the path in lowercase. werf does not check this; the push fails.',
            }
          : {
              severity: 'error',
              code: 'repository-invalid',
              message: `"${bad}" in "${ctx.writtenRepository}" is not a valid repository path component`,
              hint: 'Use lowercase letters and digits, separated by ".", "_", "__" or dashes. werf does not check this; the push fails.',
            },
      );
    }
  }

  // Checks on the address itself, used as the repository by every monorepo image and by the
  // nameless image in multirepo. Skipped when the mode resolver already said what is wrong.
  if (!ctx.modeHasErrors && (mode === 'monorepo' || hasNameless)) {
    const subject = mode === 'monorepo' ? 'In monorepo every image is published' : 'The nameless image is published';
    // In multirepo only the nameless image uses the address as it is: the problem is that image's.
    const about = mode === 'monorepo' ? undefined : null;
    if (addressDepth < limits.min) {
      report({
        severity: 'error',
        code: mode === 'monorepo' ? 'repository-too-shallow' : 'nameless-needs-repository',
        message: `${subject} to ${repo}:…, but on ${title} a repository needs at least ${plural(limits.min, 'path component')} below the host and ${repo} has ${addressDepth}`,
        hint:
          mode === 'monorepo'
            ? 'Add the missing path components to the address, or use multirepo.'
            : 'Add a repository to the address or give the image a name: a nameless image cannot be published to a registry-only or account-only address.',
      }, about);
    } else if (limits.max !== null && addressDepth > limits.max) {
      report({
        severity: 'error',
        code: 'repository-too-deep',
        message: `${subject} to ${repo}:…, but ${title} allows at most ${plural(limits.max, 'path component')} below the host and ${repo} has ${addressDepth}`,
        hint: 'Shorten the address.',
      }, about);
    }
  }
  if (repo.length > NAME_TOTAL_LENGTH_MAX && (mode === 'monorepo' || hasNameless)) {
    report({
      severity: 'error',
      code: 'reference-too-long',
      message: `The repository name ${repo} is ${repo.length} characters; registries reject names over ${NAME_TOTAL_LENGTH_MAX}`,
      hint: 'Shorten the address.',
    }, mode === 'monorepo' ? undefined : null);
  }

  if (mode === 'monorepo') checkMonorepoPrefixes(images, report);

  const owners = new Map<string, string | null>();
  const reportedPairs = new Set<string>();

  for (const image of images) {
    const name = image.name;
    let base: string;
    let prefix: string;
    if (name === null) {
      base = shownRepo;
      prefix = '';
    } else if (mode === 'multirepo') {
      base = `${shownRepo}/${name}`;
      prefix = '';
      // A duplicate's name was checked at its first definition; the same messages twice help no one.
      if (!image.duplicate) checkMultirepoName(name, base, addressDepth, limits, title, report);
    } else {
      base = shownRepo;
      prefix = `${name}-`;
      if (!image.duplicate) checkMonorepoName(name, tags, report);
    }

    for (const tag of allTags) {
      const reference = `${base}:${prefix}${tag.value}`;
      const shown: PreviewTag = { strategy: tag.strategy, value: tag.value, tag: `${prefix}${tag.value}`, reference };
      image.tags.push(shown);
      if (tag.refused !== undefined) {
        shown.invalid = [tag.refused];
        continue;
      }
      const owner = owners.get(reference);
      if (owner === undefined) {
        owners.set(reference, name);
        continue;
      }
      if (owner === name) continue; // one name defined twice: reported as image-name-duplicate
      const pair = `${owner ?? ''}\u0000${name ?? ''}`;
      if (reportedPairs.has(pair)) continue;
      reportedPairs.add(pair);
      report(
        {
          severity: 'error',
          code: 'reference-collision',
          message: `${reference} would be published for ${describe(owner)} and for ${describe(name)}; the second push overwrites the first`,
          hint:
            owner === null || name === null
              ? 'In monorepo the nameless image shares the tag space with named images; give it a name or rename the other image.'
              : 'Give the images distinct names.',
        },
        name,
      );
    }
  }
}

function describe(name: string | null): string {
  return name === null ? 'the nameless image' : `image "${name}"`;
}

function checkMultirepoName(
  name: string,
  base: string,
  addressDepth: number,
  limits: { min: number; max: number | null },
  title: string,
  report: Sink,
): void {
  const bad = invalidComponent(name);
  if (bad !== null) {
    const upper = UPPERCASE.test(bad);
    report(
      {
        severity: 'error',
        code: upper ? 'image-name-uppercase' : 'image-name-invalid',
        message: upper
          ? `Image name "${name}" has uppercase letters, but in multirepo it becomes part of the repository path (${base}), which must be lowercase`
          : `Image name "${name}" is not a valid repository path${name.includes('/') ? ` ("${bad}" is not a valid component)` : ''}; in multirepo it becomes ${base}`,
        hint: 'Rename the image to lowercase letters and digits separated by ".", "_", "__" or dashes ("/" nests). werf does not check this; the push fails.',
      },
      name,
    );
  }
  const depth = addressDepth + depthOf(name);
  if (depth < limits.min) {
    report(
      {
        severity: 'error',
        code: 'repository-too-shallow',
        message: `${base} has ${plural(depth, 'path component')} below the host, but a repository on ${title} needs at least ${limits.min}`,
        hint: 'Add the missing namespace (account, owner, project) to the address.',
      },
      name,
    );
  } else if (limits.max !== null && depth > limits.max) {
    report(
      {
        severity: 'error',
        code: 'repository-too-deep',
        message: `${base} has ${plural(depth, 'path component')} below the host, but ${title} allows at most ${limits.max}`,
        hint: `${title} cannot nest repositories: use monorepo with a repository in the address, or drop components from the address or the image name.`,
      },
      name,
    );
  }
  if (base.length > NAME_TOTAL_LENGTH_MAX) {
    report(
      {
        severity: 'error',
        code: 'reference-too-long',
        message: `The repository name ${base} is ${base.length} characters; registries reject names over ${NAME_TOTAL_LENGTH_MAX}`,
        hint: 'Shorten the image name or the address.',
      },
      name,
    );
  }
}

function checkMonorepoName(name: string, tags: ResolvedTag[], report: Sink): void {
  if (!TAG_PREFIX.test(name)) {
    report(
      {
        severity: 'error',
        code: 'monorepo-tag-invalid',
        message: `In monorepo the image name starts every tag (${name}-TAG), but "${name}" is not valid in a docker tag`,
        hint: 'Use letters, digits, "_", "." and "-" only (no "/"), or use multirepo. werf does not check this; the push fails.',
      },
      name,
    );
  }
  let tooLong = 0;
  let example = '';
  for (const tag of tags) {
    const length = name.length + 1 + tag.value.length;
    if (length > TAG_MAX_LENGTH) {
      if (tooLong === 0) example = `${name}-${tag.value}`;
      tooLong++;
    }
  }
  if (tooLong > 0) {
    report(
      {
        severity: 'error',
        code: 'monorepo-tag-too-long',
        message: `${tooLong === 1 ? 'The composed tag' : `${tooLong} composed tags, e.g.`} "${example}" ${tooLong === 1 ? 'is' : 'are'} over ${TAG_MAX_LENGTH} characters (${example.length})`,
        hint: 'Shorten the image name or the tag, or use multirepo. werf does not check the composed IMAGE-TAG length; the push fails.',
      },
      name,
    );
  }
}

/**
 * werf picks an image's monorepo tags by the prefix `IMAGE-`, so `app-` also matches every tag
 * of `app-worker`. werf itself disambiguates with the werf-image-name label; people and other
 * tools filtering by prefix do not. Linear in the total length of the names.
 */
function checkMonorepoPrefixes(images: PreviewImage[], report: Sink): void {
  const names = new Set<string>();
  let hasNamed = false;
  let hasNameless = false;
  for (const image of images) {
    if (image.name === null) hasNameless = true;
    else {
      names.add(image.name);
      hasNamed = true;
    }
  }
  for (const longer of names) {
    for (let i = longer.indexOf('-'); i > 0; i = longer.indexOf('-', i + 1)) {
      const shorter = longer.slice(0, i);
      if (!names.has(shorter)) continue;
      report(
        {
          severity: 'warning',
          code: 'monorepo-prefix-ambiguous',
          message: `Tags of "${longer}" also start with "${shorter}-", the prefix of image "${shorter}"`,
          hint: 'werf tells them apart by the werf-image-name label, but registry cleanup policies, scripts and other tools that select tags by prefix will mix them up. Prefer names where none is another name plus "-".',
        },
        shorter,
      );
    }
  }
  if (hasNamed && hasNameless) {
    report({
      severity: 'warning',
      code: 'monorepo-prefix-ambiguous',
      message: 'In monorepo the nameless image has no prefix, so every tag in the repository looks like one of its tags',
      hint: 'werf separates them by labels; other tools cannot. Consider giving the image a name.',
    }, null);
  }
}
