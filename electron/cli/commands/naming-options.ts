import type { GitInfo } from '../../../shared/api/types';
import type { RequestedRepoMode } from '../../../shared/naming/repo-mode';
import type { TagStrategy } from '../../../shared/naming/tags';
import { implementationIds, isImplementation } from '../../../shared/registry/implementation-registry';
import type { ImplementationChoice } from '../../../shared/registry/implementations';
import { UsageError } from '../output';

const MODES: readonly RequestedRepoMode[] = ['auto', 'multirepo', 'monorepo'];

export interface NamingOptions {
  imagesRepo: string;
  mode: RequestedRepoMode;
  implementation: ImplementationChoice;
  tags: { strategy: TagStrategy; raw: string }[];
}

/**
 * The preview's inputs from the command line (NAMING_OPTIONS), with werf's error texts:
 * `preview` and `publish` read them through here and nowhere else.
 */
export function namingOptions(values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>> = process.env): NamingOptions {
  const imagesRepo = typeof values['images-repo'] === 'string' ? values['images-repo'] : env.WERF_IMAGES_REPO;
  if (!imagesRepo) throw new UsageError('--images-repo REPO param required');
  const mode = (values['images-repo-mode'] as string | undefined) ?? 'auto';
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`bad --images-repo-mode '${mode}': only multirepo, monorepo or auto supported`);
  const implementation = (values.implementation as string | undefined) ?? 'auto';
  if (implementation !== 'auto' && !isImplementation(implementation)) {
    throw new UsageError(`specified docker registry implementation '${implementation}' is not supported (one of: auto, ${implementationIds().join(', ')})`);
  }
  const tags: { strategy: TagStrategy; raw: string }[] = [];
  for (const t of (values['tag-custom'] as string[] | undefined) ?? []) tags.push({ strategy: 'custom', raw: t });
  if (typeof values['tag-git-branch'] === 'string') tags.push({ strategy: 'git-branch', raw: values['tag-git-branch'] });
  if (typeof values['tag-git-tag'] === 'string') tags.push({ strategy: 'git-tag', raw: values['tag-git-tag'] });
  if (typeof values['tag-git-commit'] === 'string') tags.push({ strategy: 'git-commit', raw: values['tag-git-commit'] });
  return { imagesRepo, mode: mode as RequestedRepoMode, implementation: implementation as ImplementationChoice, tags };
}

/**
 * Without a tagging strategy the project's own git state is used, as the app pre-fills it. Fills
 * `tags` in place and returns the note that says so (empty when nothing was taken from git);
 * still no strategy afterwards is a usage error.
 */
export function tagsFromGitWhenNone(tags: { strategy: TagStrategy; raw: string }[], git: GitInfo | null): string {
  let note = '';
  if (tags.length === 0 && git) {
    if (git.branch) tags.push({ strategy: 'git-branch', raw: git.branch });
    if (git.tag) tags.push({ strategy: 'git-tag', raw: git.tag });
    if (!git.branch && !git.tag && git.commit) tags.push({ strategy: 'git-commit', raw: git.commit });
    if (tags.length > 0) note = `note: no tagging strategy given; using the project's git ${tags.map((t) => `${t.strategy.slice(4)} ${t.raw}`).join(' and ')}\n`;
  }
  if (tags.length === 0) throw new UsageError('give at least one tagging strategy: --tag-custom, --tag-git-branch, --tag-git-tag or --tag-git-commit (the project is not a git repository to take them from)');
  return note;
}
