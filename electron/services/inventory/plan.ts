import { UserError } from '../../../shared/api/result';
import { createImageMapper, planRepositories, type ImageMapper, type PlannedRepository, type RepoMode } from '../../../shared/inventory/map-images';
import type { InventoryRequest } from '../../../shared/inventory/types';
import { resolveRepoMode } from '../../../shared/naming/repo-mode';
import { detectParsed, parseImagesRepo, type DetectionDetails } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';

export interface InventoryPlan {
  /** host[:port] as written, lower-cased. */
  registry: string;
  implementation: Implementation;
  /** null: a plain repository the user typed (no werf images to map to). */
  mode: RepoMode | null;
  repositories: PlannedRepository[];
  mapper: ImageMapper | null;
  /** Monorepo with `image`: only tags whose prefix fits it are listed. */
  only?: string | null;
  warnings: string[];
  details?: DetectionDetails;
}

// Address problems that leave nothing to talk to; the others (a stray tag or scheme) were salvaged.
const FATAL = new Set(['images-repo-empty', 'images-repo-invalid-host', 'images-repo-whitespace']);

/**
 * Which repositories to list, and how tags map to werf images:
 * - no werf images given: the address is a plain repository, listed as is;
 * - multirepo: `REPO/IMAGE` per werf image (+ `REPO` for the nameless one);
 * - monorepo: the images repo itself.
 */
export function planInventory(req: InventoryRequest): InventoryPlan {
  const parsed = parseImagesRepo(req.imagesRepo);
  const fatal = parsed.problems.find((p) => p.severity === 'error' && FATAL.has(p.code));
  if (fatal || parsed.registry === '') {
    throw new UserError({
      code: 'bad-images-repo',
      message: fatal?.message ?? `"${req.imagesRepo}" is not a registry address`,
      hint: fatal?.hint ?? 'Type an address like registry.example.com/team/app.',
    });
  }
  const warnings = parsed.problems.filter((p) => !FATAL.has(p.code)).map((p) => p.message);
  const detection = detectParsed(parsed);
  const implementation: Implementation = req.implementation === 'auto' ? detection.implementation : req.implementation;
  const base: Omit<InventoryPlan, 'mode' | 'repositories' | 'mapper'> = { registry: parsed.registry, implementation, warnings };
  if (detection.details) base.details = detection.details;

  if (req.images.length === 0) {
    // A repository as typed; on Docker Hub a single component is an official image (library/x).
    const repository = detection.repository;
    if (repository === null) {
      throw new UserError({ code: 'no-repository', message: `${parsed.address} names a registry, not a repository`, hint: 'Add the repository path, e.g. registry.example.com/team/app.' });
    }
    return { ...base, mode: null, repositories: [{ repository }], mapper: null };
  }

  const resolution = resolveRepoMode(detection, implementation, req.mode);
  if (resolution.mode === null) {
    const p = resolution.problems[0];
    throw new UserError({ code: 'bad-repo-mode', message: p?.message ?? resolution.reason, ...(p?.hint !== undefined ? { hint: p.hint } : {}) });
  }
  const mode = resolution.mode;
  // Composed from the path as written: werf's naming templates never see the implicit `library/`.
  const planned = planRepositories({ mode, base: parsed.repository, images: req.images, ...(req.image !== undefined ? { only: req.image } : {}) });
  if (planned.repositories.length === 0) {
    throw new UserError({ code: 'nothing-to-list', message: planned.problems.join('; ') || 'No repository to list', hint: 'Check the images repo address, the repo mode and the image name.' });
  }
  const plan: InventoryPlan = {
    ...base,
    warnings: [...warnings, ...planned.problems],
    mode,
    repositories: planned.repositories,
    mapper: createImageMapper({ mode, base: parsed.repository, images: req.images }),
  };
  if (mode === 'monorepo' && req.image !== undefined) plan.only = req.image === '' || req.image === '~' ? null : req.image;
  return plan;
}
