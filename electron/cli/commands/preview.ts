import { previewNames } from '../../../shared/naming/preview';
import type { TagStrategy } from '../../../shared/naming/tags';
import { implementationIds, isImplementation } from '../../../shared/registry/implementation-registry';
import type { ImplementationChoice } from '../../../shared/registry/implementations';
import { EXIT, formatProblem, json, UsageError, type CommandOutput } from '../output';
import { loadForCli } from './load';

const MODES = ['auto', 'multirepo', 'monorepo'] as const;

export async function runPreview(values: Record<string, unknown>, positionals: string[]): Promise<CommandOutput> {
  const imagesRepo = typeof values['images-repo'] === 'string' ? values['images-repo'] : process.env.WERF_IMAGES_REPO;
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
  const view = await loadForCli(values, positionals);
  // Without a strategy, the project's own git state is used, as the app pre-fills it.
  let note = '';
  if (tags.length === 0 && view.git) {
    if (view.git.branch) tags.push({ strategy: 'git-branch', raw: view.git.branch });
    if (view.git.tag) tags.push({ strategy: 'git-tag', raw: view.git.tag });
    if (!view.git.branch && !view.git.tag && view.git.commit) tags.push({ strategy: 'git-commit', raw: view.git.commit });
    if (tags.length > 0) note = `note: no tagging strategy given; using the project's git ${tags.map((t) => `${t.strategy.slice(4)} ${t.raw}`).join(' and ')}\n`;
  }
  if (tags.length === 0) throw new UsageError('give at least one tagging strategy: --tag-custom, --tag-git-branch, --tag-git-tag or --tag-git-commit (the project is not a git repository to take them from)');
  const result = previewNames({
    images: view.images.filter((i) => i.final && i.kind !== 'artifact').map((i) => ({ name: i.name })),
    imagesRepo,
    mode: mode as (typeof MODES)[number],
    implementation: implementation as ImplementationChoice,
    tags,
  });
  const configProblems = view.problems.map((p) => ({
    severity: p.severity,
    image: p.image ?? null,
    scope: p.image === undefined ? ('preview' as const) : ('image' as const),
    message: p.location ? `${p.location.file}:${p.location.line}:${p.location.column}: ${p.message}` : p.message,
    code: p.code,
    ...(p.hint ? { hint: p.hint } : {}),
  }));
  const problems = [...configProblems, ...result.problems];
  const code = problems.some((p) => p.severity === 'error') ? EXIT.problems : EXIT.ok;

  if (values.json) {
    return {
      code,
      ...(note ? { stderr: note } : {}),
      stdout: json({
        imagesRepo: result.imagesRepo,
        implementation: result.implementation,
        implementationSource: result.implementationSource,
        mode: result.mode,
        modeSource: result.modeSource,
        images: result.images,
        problems,
      }),
    };
  }
  const lines = [
    `images repo     ${result.imagesRepo}`,
    `implementation  ${result.implementation} (${result.implementationSource === 'override' ? 'chosen' : `detected: ${result.detection.reason}`})`,
    `repo mode       ${result.mode ?? 'none'} (${result.modeSource === 'auto' ? `auto: ${result.modeReason}` : 'explicit'})`,
    '',
  ];
  for (const image of result.images) {
    // An invalid name is marked on its own line, so a script grepping the text never takes it for a good one.
    for (const tag of image.tags) lines.push(`${(image.name ?? '~').padEnd(20)} ${tag.strategy.padEnd(11)} ${tag.reference}${image.duplicate ? '  (duplicate definition)' : ''}${tag.invalid ? '  INVALID' : ''}`);
  }
  const stderr = note + problems.map((p) => `${formatProblem(p)}\n`).join('');
  return { stdout: lines.join('\n') + '\n', stderr, code };
}
