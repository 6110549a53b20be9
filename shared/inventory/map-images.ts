/**
 * Which werf.yaml image a tag belongs to under the active repo mode (werf.md §1.2):
 * - multirepo: by repository path, `REPO/IMAGE` (the nameless image is `REPO` itself);
 * - monorepo: by the `IMAGE-` tag prefix, which is ambiguous when one image name is a prefix of
 *   another followed by `-` (`app` and `app-worker`: `app-worker-x` fits both). werf settles it with
 *   the `werf-image-name` label (§3.1); so do we when the label is known. Without it the longest
 *   matching prefix is a guess, and the row says which images it could also be.
 */

export type RepoMode = 'multirepo' | 'monorepo';

/** Set on every image werf v1.1 publishes; its value is the werf.yaml image name ("" = nameless). */
export const WERF_IMAGE_NAME_LABEL = 'werf-image-name';

export interface ImageMatch {
  /** The werf image; null = the nameless image. Absent when the tag belongs to no known image. */
  image?: string | null;
  imageBy?: 'repository' | 'prefix' | 'label';
  /**
   * Monorepo, set only when ambiguous: no label settled it and several images' `IMAGE-` prefixes
   * fit, longest first; `image` holds the longest (a guess).
   */
  candidates?: string[];
}

export interface PlannedRepository {
  repository: string;
  /** The werf image this repository holds in multirepo (null = nameless); absent for monorepo and plain repositories. */
  image?: string | null;
}

export interface ImageMapperOptions {
  mode: RepoMode;
  /** The repository path of the images repo as written (no implicit `library/`); null for a registry-only address. */
  base: string | null;
  /** werf.yaml image names, null (or "") = the nameless image. */
  images: readonly (string | null)[];
}

export interface ImageMapper {
  /** `repository` + `tag` (+ config labels when known) → the werf image. */
  map(repository: string, tag: string, labels?: Readonly<Record<string, string>>): ImageMatch;
  /** Monorepo: could this tag belong to `image` at all (its prefix fits)? Multirepo: always true. */
  couldBelongTo(tag: string, image: string | null): boolean;
}

function normalizeName(name: string | null): string | null {
  return name === null || name === '' || name === '~' ? null : name;
}

/** multirepo REPO/IMAGE per image (REPO itself for the nameless one); monorepo: REPO. */
export function planRepositories(opts: ImageMapperOptions & { only?: string | null }): { repositories: PlannedRepository[]; problems: string[] } {
  const problems: string[] = [];
  const wanted = opts.only === undefined ? undefined : normalizeName(opts.only);
  const images = dedupe(opts.images.map(normalizeName)).filter((i) => wanted === undefined || i === wanted);
  if (wanted !== undefined && images.length === 0) problems.push(`werf.yaml has no image ${wanted === null ? '(nameless)' : `"${wanted}"`}`);
  if (opts.mode === 'monorepo') {
    if (opts.base === null) {
      problems.push('monorepo needs a repository in the images repo address, not a registry alone');
      return { repositories: [], problems };
    }
    return { repositories: [{ repository: opts.base }], problems };
  }
  const out: PlannedRepository[] = [];
  for (const image of images) {
    if (image === null) {
      if (opts.base === null) problems.push('the nameless image needs a repository in the images repo address');
      else out.push({ repository: opts.base, image: null });
    } else out.push({ repository: opts.base === null ? image : `${opts.base}/${image}`, image });
  }
  return { repositories: out, problems };
}

function dedupe<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

export function createImageMapper(opts: ImageMapperOptions): ImageMapper {
  const images = dedupe(opts.images.map(normalizeName));
  const named = new Set(images.filter((i): i is string => i !== null));
  const hasNameless = images.includes(null);

  if (opts.mode === 'multirepo') {
    const byRepository = new Map<string, string | null>();
    for (const image of images) {
      if (image === null) {
        if (opts.base !== null) byRepository.set(opts.base, null);
      } else byRepository.set(opts.base === null ? image : `${opts.base}/${image}`, image);
    }
    return {
      map(repository) {
        if (!byRepository.has(repository)) return {};
        return { image: byRepository.get(repository)!, imageBy: 'repository' };
      },
      couldBelongTo: () => true,
    };
  }

  /** Named images whose `IMAGE-` prefix fits the tag, longest first. Cost: one lookup per `-` in the tag. */
  const prefixCandidates = (tag: string): string[] => {
    const found: string[] = [];
    for (let i = tag.indexOf('-'); i > 0 && i < tag.length - 1; i = tag.indexOf('-', i + 1)) {
      const prefix = tag.slice(0, i);
      if (named.has(prefix)) found.push(prefix);
    }
    return found.reverse();
  };

  return {
    map(_repository, tag, labels) {
      const label = labels?.[WERF_IMAGE_NAME_LABEL];
      if (label !== undefined) {
        const image = normalizeName(label);
        // The label is what werf itself trusts; accept it when it names a werf.yaml image, or an
        // image removed from werf.yaml whose prefix still fits (its old tags are still werf's).
        if (image === null ? hasNameless : named.has(image) || tag.startsWith(`${image}-`)) {
          return { image, imageBy: 'label' };
        }
      }
      const candidates = prefixCandidates(tag);
      if (candidates.length === 0) return hasNameless ? { image: null, imageBy: 'prefix' } : {};
      const match: ImageMatch = { image: candidates[0]!, imageBy: 'prefix' };
      if (candidates.length > 1) match.candidates = candidates;
      return match;
    },
    couldBelongTo(tag, image) {
      const want = normalizeName(image);
      if (want === null) return hasNameless;
      return tag.startsWith(`${want}-`) && tag.length > want.length + 1;
    },
  };
}
