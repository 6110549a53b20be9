import type { DockerfileBuildSpec, ImageSummary } from '../api/types';
import { previewNames, type PreviewInput, type PreviewProblem, type PreviewResult, type PreviewTag } from '../naming/preview';
import type { PublishRequest } from './types';

/** The images the preview names: final images that are not artifacts (as the preview view and CLI do). */
export function previewedImages(images: readonly ImageSummary[]): PreviewInput['images'] {
  return images.filter((i) => i.final && i.kind !== 'artifact').map((i) => ({ name: i.name }));
}

export interface PlannedBuild {
  name: string | null;
  /** The Dockerfile build, from werf.yaml; absent for what is skipped. */
  build?: DockerfileBuildSpec & { target?: string; args?: Record<string, string> };
  /** Dockerfile images this one needs built (and, when final, pushed) first. */
  needs: (string | null)[];
  /** The names the preview showed for this image, in its order; empty when the image is not published. */
  tags: PreviewTag[];
  /** Why this image is not built, in words for the user. */
  skipped?: string;
  /** Selected by the user, or only built because a selected image needs it. */
  selected: boolean;
}

export interface PublishPlan {
  preview: PreviewResult;
  /** Dependencies before the images that need them; werf.yaml order otherwise. */
  order: PlannedBuild[];
  /** Error-level problems here mean nothing may be built. */
  problems: PreviewProblem[];
  blocked: boolean;
}

const stapelReason = (kind: ImageSummary['kind']) =>
  kind === 'artifact'
    ? 'a Stapel artifact: werf builds it (`werf build`); Stowage builds only Dockerfile images'
    : 'a Stapel image: werf builds it (`werf build`, or `werf publish` in v1.1); Stowage builds only Dockerfile images';

const key = (name: string | null) => name ?? '';
const label = (name: string | null) => (name === null ? 'the nameless image' : `"${name}"`);

/**
 * Decides what a publish does before anything touches the engine: the preview's own names for the
 * request (the same `previewNames` call the preview makes, so the pushed names are exactly the
 * previewed ones), which images are built and in which order, and what refuses the whole run.
 */
export function planPublish(images: readonly ImageSummary[], request: PublishRequest): PublishPlan {
  const preview = previewNames({ images: previewedImages(images), imagesRepo: request.imagesRepo, mode: request.mode, implementation: request.implementation, tags: request.tags });
  const problems: PreviewProblem[] = [];
  const byName = new Map(images.map((i) => [key(i.name), i] as const));
  const tagsOf = new Map(preview.images.map((i) => [key(i.name), i.tags] as const));

  const publishable = images.filter((i) => i.final && i.kind !== 'artifact');
  const wanted = request.images ?? publishable.map((i) => i.name);
  const selected = new Set<string>();
  for (const name of wanted) {
    const image = byName.get(key(name));
    if (!image) {
      problems.push({ severity: 'error', image: name, scope: 'image', code: 'publish-unknown-image', message: `werf.yaml has no image ${label(name)}`, hint: 'Pick one of the images the project view lists.' });
      continue;
    }
    selected.add(key(name));
  }

  // Everything a selected image needs, transitively; then dependency order (depth-first, so a
  // dependency always comes first; werf.yaml order among independent images).
  const order: PlannedBuild[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (image: ImageSummary, path: string[]): void => {
    const k = key(image.name);
    if (state.get(k) === 'done') return;
    if (state.get(k) === 'visiting') {
      problems.push({ severity: 'error', image: image.name, scope: 'image', code: 'publish-dependency-cycle', message: `Images depend on each other in a cycle: ${[...path, k].map((n) => n || '~').join(' → ')}`, hint: 'Remove one of the dependencies in werf.yaml.' });
      return;
    }
    state.set(k, 'visiting');
    for (const dep of image.dependsOn) {
      const d = byName.get(dep);
      if (d) visit(d, [...path, k]);
    }
    state.set(k, 'done');
    order.push(plannedOf(image, selected.has(k), tagsOf.get(k) ?? []));
  };
  for (const image of images) if (selected.has(key(image.name))) visit(image, []);

  // A Dockerfile image that needs a skipped one cannot be built either.
  const skipped = new Map<string, string>();
  for (const p of order) {
    if (p.skipped) {
      skipped.set(key(p.name), p.skipped);
      continue;
    }
    const blocker = p.needs.find((n) => skipped.has(key(n)));
    if (blocker !== undefined) {
      p.skipped = `it needs ${label(blocker)}, which is not built here (${skipped.get(key(blocker))})`;
      delete p.build;
      skipped.set(key(p.name), p.skipped);
    }
  }

  // The preview's own verdict, limited to what this run publishes: a problem about another image
  // does not stop this one, a problem about the address or a tag value stops everything.
  const published = new Set(order.filter((p) => !p.skipped && p.tags.length > 0).map((p) => key(p.name)));
  for (const p of preview.problems) {
    if (p.scope === 'preview' || published.has(key(p.image))) problems.push(p);
  }
  if (request.tags.length === 0) {
    problems.push({ severity: 'error', image: null, scope: 'preview', code: 'publish-no-tags', message: 'No tagging strategy: there is no name to push', hint: 'Give at least one of custom, git-branch, git-tag or git-commit.' });
  }
  if (preview.mode === null && !problems.some((p) => p.severity === 'error')) {
    problems.push({ severity: 'error', image: null, scope: 'preview', code: 'publish-no-mode', message: 'The images repo has no usable repo mode', hint: 'Fix the address or the repo mode first.' });
  }
  if (order.every((p) => p.skipped) && order.length > 0 && !problems.some((p) => p.severity === 'error')) {
    problems.push({ severity: 'warning', image: null, scope: 'preview', code: 'publish-nothing-to-build', message: 'None of the chosen images is a Dockerfile image; nothing is built or pushed', hint: 'werf builds Stapel images: run `werf build` (v1.2+) or `werf publish` (v1.1).' });
  }
  return { preview, order, problems, blocked: problems.some((p) => p.severity === 'error') };
}

function plannedOf(image: ImageSummary, selected: boolean, tags: PreviewTag[]): PlannedBuild {
  const base = { name: image.name, needs: [...image.dependsOn], selected, tags: image.final ? tags : [] };
  if (image.kind !== 'dockerfile') return { ...base, skipped: stapelReason(image.kind) };
  if (!image.build) return { ...base, skipped: 'its Dockerfile path is not usable (see the problems of werf.yaml)' };
  const build: NonNullable<PlannedBuild['build']> = { ...image.build };
  if (image.target !== undefined) build.target = image.target;
  if (image.args !== undefined) build.args = { ...image.args };
  return { ...base, build };
}
