import type { Problem } from '../problems';
import { parseImagesRepo, type Detection } from '../registry/detect';
import { implementationInfo } from '../registry/implementation-registry';
import type { Implementation } from '../registry/implementations';

export type RepoMode = 'multirepo' | 'monorepo';
export type RequestedRepoMode = RepoMode | 'auto';

export interface RepoModeResolution {
  mode: RepoMode | null;
  reason: string;
  problems: Problem[];
}

export const REPO_MODES: readonly RequestedRepoMode[] = ['auto', 'multirepo', 'monorepo'];

export function isRequestedRepoMode(value: string): value is RequestedRepoMode {
  return (REPO_MODES as readonly string[]).includes(value);
}

function error(code: string, message: string, hint?: string): Problem {
  return hint === undefined ? { severity: 'error', code, message } : { severity: 'error', code, message, hint };
}

function failed(problem: Problem): RepoModeResolution {
  return { mode: null, reason: problem.message, problems: [problem] };
}

/**
 * werf's resolver for the implementations whose address may or may not include a repository
 * (dockerhub, github on docker.pkg.github.com, quay): same decisions and same error texts as
 * werf, so a user can search for them.
 */
function resolveSplit(
  implementation: Implementation,
  address: string,
  hasRepository: boolean,
  requested: RequestedRepoMode,
  describe: (mode: RepoMode) => string,
): RepoModeResolution {
  if (requested === 'monorepo' && !hasRepository) {
    return failed(
      error(
        'repo-mode-unsupported',
        `docker registry implementation ${implementation} and repo mode monorepo cannot be used with ${address} (add repository to address or use multirepo repo mode)`,
        'Append a repository to the address, or switch the repo mode to multirepo (or auto).',
      ),
    );
  }
  if (requested === 'multirepo' && hasRepository) {
    return failed(
      error(
        'repo-mode-unsupported',
        `docker registry implementation ${implementation} and repo mode multirepo cannot be used with ${address} (exclude repository from address or use monorepo repo mode)`,
        `${implementation} has no nested repositories: remove the repository from the address, or switch the repo mode to monorepo (or auto).`,
      ),
    );
  }
  const mode: RepoMode = hasRepository ? 'monorepo' : 'multirepo';
  return { mode, reason: describe(mode), problems: [] };
}

function unexpectedReference(address: string, spelling: 'unexpected' | 'unexpeced', hint: string): RepoModeResolution {
  // docker.pkg.github.com's message really says "unexpeced" in werf; kept so users can search for it.
  return failed(error('unexpected-reference', `${spelling} reference ${address}`, hint));
}

function resolveDockerHub(detection: Detection, parts: string[], requested: RequestedRepoMode): RepoModeResolution {
  const address = detection.address;
  if (parts.length === 0) {
    // werf would parse the bare host as a Hub repository called e.g. "index.docker.io" and carry
    // on in multirepo, pushing to a nonsense account. Refuse instead.
    return failed(
      error('dockerhub-no-account', `Docker Hub address ${address} has no account`, 'Write ACCOUNT (multirepo) or ACCOUNT/REPO (monorepo), e.g. docker.io/myaccount.'),
    );
  }
  if (parts.length !== 2) {
    return unexpectedReference(address, 'unexpected', 'Docker Hub repositories are ACCOUNT/REPO and cannot nest: use ACCOUNT or ACCOUNT/REPO.');
  }
  let [account, repository] = parts;
  const problems: Problem[] = [];
  if (account === 'library') {
    // werf's rule for go-containerregistry's implicit `library/`: it cannot tell an implicit
    // prefix from one the user typed, so `library/alpine` also becomes account `alpine`.
    account = repository;
    repository = '';
    const written = parseImagesRepo(address).repository;
    if (written !== null && written.includes('/')) {
      problems.push({
        severity: 'warning',
        code: 'dockerhub-library-quirk',
        message: `werf reads ${address} as the Docker Hub account "${account}" with no repository, so it picks multirepo and names images ${address}/IMAGE, which Docker Hub rejects (it has no nested repositories); werf's docs say this address should mean monorepo`,
        hint: `"library/" holds Docker's official images; push to your own account instead: ACCOUNT (multirepo) or ACCOUNT/REPO (monorepo).`,
      });
    }
  }
  const result = resolveSplit('dockerhub', address, repository !== '', requested, (mode) =>
    mode === 'multirepo'
      ? `${address} names the Docker Hub account "${account}" without a repository, so each image gets its own repository: ${address}/IMAGE (multirepo).`
      : `${address} names the Docker Hub repository ${account}/${repository}; Docker Hub cannot nest repositories, so all images share it with tags IMAGE-TAG (monorepo).`,
  );
  return { ...result, problems: [...problems, ...result.problems] };
}

function resolveQuay(detection: Detection, parts: string[], requested: RequestedRepoMode): RepoModeResolution {
  const address = detection.address;
  if (parts.length === 0) {
    // werf would read the bare host as a Docker Hub path (library/quay.io) and choose monorepo.
    return failed(
      error('quay-no-namespace', `Quay address ${address} has no namespace`, 'Write HOST/NAMESPACE (multirepo) or HOST/NAMESPACE/REPO (monorepo).'),
    );
  }
  if (parts.length > 2) {
    return unexpectedReference(address, 'unexpected', 'Quay repositories are NAMESPACE/REPO and cannot nest: use NAMESPACE or NAMESPACE/REPO.');
  }
  return resolveSplit('quay', address, parts.length === 2, requested, (mode) =>
    mode === 'multirepo'
      ? `${address} names the Quay namespace "${parts[0]}", so each image gets its own repository: ${address}/IMAGE (multirepo).`
      : `${address} names the Quay repository ${parts[0]}/${parts[1]}; Quay cannot nest repositories, so all images share it with tags IMAGE-TAG (monorepo).`,
  );
}

function resolveGithubPackages(detection: Detection, parts: string[], requested: RequestedRepoMode): RepoModeResolution {
  const address = detection.address;
  // A registry-only address would reach werf as a Hub path (library/docker.pkg.github.com) and
  // pass as owner "library"; we report it like any other wrong shape.
  if (parts.length !== 2 && parts.length !== 3) {
    return unexpectedReference(address, 'unexpeced', 'docker.pkg.github.com addresses are OWNER/REPOSITORY (multirepo) or OWNER/REPOSITORY/PACKAGE (monorepo).');
  }
  return resolveSplit('github', address, parts.length === 3, requested, (mode) =>
    mode === 'multirepo'
      ? `${address} names the GitHub repository ${parts[0]}/${parts[1]}, so each image becomes a package: ${address}/IMAGE (multirepo).`
      : `${address} names the package ${parts[2]} of ${parts[0]}/${parts[1]}; docker.pkg.github.com cannot nest further, so all images share it with tags IMAGE-TAG (monorepo).`,
  );
}

function resolveNesting(detection: Detection, implementation: Implementation, requested: RequestedRepoMode, note: string): RepoModeResolution {
  const address = detection.address;
  if (requested === 'auto') {
    return {
      mode: 'multirepo',
      reason: `${implementation} allows nested repositories, so auto means multirepo: each image goes to ${address}/IMAGE.${note}`,
      problems: [],
    };
  }
  const problems: Problem[] = [];
  if (requested === 'monorepo' && detection.repository === null) {
    // werf accepts this combination; the first push then fails on `HOST:IMAGE-TAG`.
    problems.push(
      error(
        'monorepo-without-repository',
        `Repo mode monorepo with the registry-only address ${address} would publish ${address}:IMAGE-TAG, which is not a valid image reference`,
        'Add a repository to the address (for example ADDRESS/project) or use multirepo.',
      ),
    );
  }
  return { mode: requested, reason: `${requested} requested; ${implementation} accepts either mode.${note}`, problems };
}

/**
 * werf §1.3 `ResolveRepoMode`, per implementation. `implementation` may differ from
 * `detection.implementation` when the user overrides it; the address shape rules then follow the
 * chosen implementation, as in werf.
 */
export function resolveRepoMode(
  detection: Detection,
  implementation: Implementation,
  requested: RequestedRepoMode | (string & {}),
): RepoModeResolution {
  // werf's resolvers treat "" like auto (`case "auto", ""`).
  const mode: string = requested === '' ? 'auto' : requested;
  if (!isRequestedRepoMode(mode)) {
    return failed(
      error('repo-mode-invalid', `bad --images-repo-mode '${requested}': only multirepo, monorepo or auto supported`, 'Choose auto, multirepo or monorepo.'),
    );
  }
  // detection.repository already carries go-containerregistry's implicit `library/`, which is what
  // werf splits here.
  const parts = detection.repository === null ? [] : detection.repository.split('/');
  switch (implementation) {
    case 'dockerhub':
      return resolveDockerHub(detection, parts, mode);
    case 'quay':
      return resolveQuay(detection, parts, mode);
    case 'github':
      if (detection.registry === 'docker.pkg.github.com') return resolveGithubPackages(detection, parts, mode);
      // ghcr.io (werf 1.2+) is not docker.pkg.github.com: package names may contain "/", so the
      // address can carry any path below the owner and it behaves like the nesting registries.
      return resolveNesting(
        detection,
        implementation,
        mode,
        ' (ghcr.io package names may nest; werf v1.1 treats ghcr.io as default, which also means multirepo.)',
      );
    default: {
      const info = implementationInfo(implementation);
      if (!info.nestsRepositories && info.maxRepositoryDepth !== null) return resolveByDepth(detection, implementation, info.title, info.maxRepositoryDepth, parts, mode);
      return resolveNesting(detection, implementation, mode, '');
    }
  }
}

/**
 * Any other registry that cannot nest repositories, from its catalogue entry: an address with
 * fewer components than the deepest repository names an account (multirepo), one with exactly
 * that many names the repository (monorepo), deeper is refused — werf's rule for such registries.
 */
function resolveByDepth(detection: Detection, implementation: Implementation, title: string, depth: number, parts: string[], requested: RequestedRepoMode): RepoModeResolution {
  const address = detection.address;
  if (parts.length === 0 || parts.length > depth) {
    const shape = depth === 1 ? 'REPO' : `${'ACCOUNT/'.repeat(depth - 1)}REPO`;
    return unexpectedReference(address, 'unexpected', `${title} repositories are ${shape} and cannot nest: write the account (multirepo) or ${shape} (monorepo).`);
  }
  return resolveSplit(implementation, address, parts.length === depth, requested, (mode) =>
    mode === 'multirepo'
      ? `${address} names an account on ${title} without a repository, so each image gets its own repository: ${address}/IMAGE (multirepo).`
      : `${address} names the ${title} repository ${parts.join('/')}; ${title} cannot nest repositories, so all images share it with tags IMAGE-TAG (monorepo).`,
  );
}
