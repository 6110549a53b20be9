import { UserError } from '../../../shared/api/result';
import type { RequestedRepoMode } from '../../../shared/naming/repo-mode';
import type { TagStrategy } from '../../../shared/naming/tags';
import type { PublishProgress, PublishReport, PublishRequest } from '../../../shared/publish/types';
import { IMPLEMENTATIONS, type ImplementationChoice } from '../../../shared/registry/implementations';
import type { EngineConnection } from '../../services/docker/engine';
import type { RegistryAccess } from '../../services/registry-access';
import { EXIT, formatProblem, json, UsageError, type CommandOutput } from '../output';
import { loadForCli } from './load';

const MODES = ['auto', 'multirepo', 'monorepo'] as const;
const TRUE = new Set(['1', 'true', 'yes']);

export interface PublishCliDeps {
  access: RegistryAccess;
  engine: EngineConnection;
  settingsDir: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Live progress for a person at a terminal; the CLI's final output is unchanged by it. */
  progress?: (line: string) => void;
}

/** `stowage publish`: the preview's options plus which images; JSON as the README documents it. */
export async function runPublish(values: Record<string, unknown>, positionals: string[], deps: PublishCliDeps): Promise<CommandOutput> {
  const env = deps.env ?? process.env;
  const imagesRepo = typeof values['images-repo'] === 'string' ? values['images-repo'] : env.WERF_IMAGES_REPO;
  if (!imagesRepo) throw new UsageError('--images-repo REPO param required');
  const mode = (values['images-repo-mode'] as string | undefined) ?? 'auto';
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`bad --images-repo-mode '${mode}': only multirepo, monorepo or auto supported`);
  const implementation = (values.implementation as string | undefined) ?? 'auto';
  if (implementation !== 'auto' && !(IMPLEMENTATIONS as readonly string[]).includes(implementation)) {
    throw new UsageError(`specified docker registry implementation '${implementation}' is not supported (one of: auto, ${IMPLEMENTATIONS.join(', ')})`);
  }
  const tags: { strategy: TagStrategy; raw: string }[] = [];
  for (const t of (values['tag-custom'] as string[] | undefined) ?? []) tags.push({ strategy: 'custom', raw: t });
  if (typeof values['tag-git-branch'] === 'string') tags.push({ strategy: 'git-branch', raw: values['tag-git-branch'] });
  if (typeof values['tag-git-tag'] === 'string') tags.push({ strategy: 'git-tag', raw: values['tag-git-tag'] });
  if (typeof values['tag-git-commit'] === 'string') tags.push({ strategy: 'git-commit', raw: values['tag-git-commit'] });
  const view = await loadForCli(values, positionals);
  let note = '';
  if (tags.length === 0 && view.git) {
    // The same default as `stowage preview`: the project's own git state.
    if (view.git.branch) tags.push({ strategy: 'git-branch', raw: view.git.branch });
    if (view.git.tag) tags.push({ strategy: 'git-tag', raw: view.git.tag });
    if (!view.git.branch && !view.git.tag && view.git.commit) tags.push({ strategy: 'git-commit', raw: view.git.commit });
    if (tags.length > 0) note = `note: no tagging strategy given; using the project's git ${tags.map((t) => `${t.strategy.slice(4)} ${t.raw}`).join(' and ')}\n`;
  }
  if (tags.length === 0) throw new UsageError('give at least one tagging strategy: --tag-custom, --tag-git-branch, --tag-git-tag or --tag-git-commit (the project is not a git repository to take them from)');
  const images = values.image as string[] | undefined;
  const insecure = values['insecure-registry'] === true || TRUE.has((env.WERF_INSECURE_REGISTRY ?? '').toLowerCase());
  const request: PublishRequest = {
    imagesRepo,
    implementation: implementation as ImplementationChoice,
    mode: mode as RequestedRepoMode,
    tags,
    ...(images ? { images: images.map((n) => (n === '~' ? null : n)) } : {}),
    ...(values['create-repositories'] === true ? { createRepositories: true } : {}),
    ...(insecure ? { insecureRegistry: true } : {}),
  };

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let report: PublishReport;
  try {
    const { publishImages } = await import('../../services/publish/publish');
    report = await publishImages(request, {
      projectDir: view.path,
      images: view.images,
      resolver: deps.access.resolver,
      settings: deps.access.settings,
      engine: deps.engine,
      settingsDir: deps.settingsDir,
      signal: controller.signal,
      ...(deps.progress ? { onProgress: progressPrinter(deps.progress) } : {}),
    });
  } catch (error) {
    // The engine or the registry failed the run: exit 1, with the documented error document.
    if (error instanceof UserError) {
      return values.json
        ? { code: EXIT.problems, stdout: json({ error: error.toData() }) }
        : { code: EXIT.problems, stdout: '', stderr: `${note}stowage publish: ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ''}\n` };
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }

  const problems = [
    ...report.problems,
    ...report.images.flatMap((i) => (i.error ? [{ severity: 'error' as const, image: i.name, scope: 'image' as const, code: i.error.code, message: i.error.message, ...(i.error.hint ? { hint: i.error.hint } : {}) }] : [])),
  ];
  const code = report.failed || problems.some((p) => p.severity === 'error') ? EXIT.problems : EXIT.ok;
  if (values.json) {
    return {
      code,
      ...(note ? { stderr: note } : {}),
      stdout: json({
        images: report.images.map((i) => ({
          name: i.name,
          built: i.built,
          ...(i.skipped ? { skipped: i.skipped } : {}),
          pushed: i.pushed.map((p) => ({ reference: p.reference, digest: p.digest })),
        })),
        problems,
      }),
    };
  }
  const lines: string[] = [];
  if (report.engine) lines.push(`engine  ${report.engine.version} (API ${report.engine.apiVersion}, ${report.engine.os}/${report.engine.arch}, ${report.engine.storageDriver}${report.engine.rootless ? ', rootless' : ''}) at ${report.engine.endpoint}, ${report.engine.builder.kind} builder`, '');
  for (const i of report.images) {
    const name = (i.name ?? '~').padEnd(20);
    if (i.skipped) lines.push(`${name} skipped: ${i.skipped}`);
    for (const p of i.pushed) lines.push(`${name} ${p.reference}  ${p.digest}  ${(p.ms / 1000).toFixed(1)} s`);
    if (i.error) lines.push(`${name} failed`);
  }
  return { code, stdout: lines.join('\n') + '\n', stderr: note + problems.map((p) => `${formatProblem(p)}\n`).join('') };
}

function progressPrinter(write: (line: string) => void): (p: PublishProgress) => void {
  return (p) => {
    const who = p.kind === 'plan' ? '' : `[${p.image ?? '~'}] `;
    if (p.kind === 'phase') write(`${who}${p.phase}${p.message ? `: ${p.message}` : ''}`);
    else if (p.kind === 'step') write(`${who}step ${p.step}/${p.total}: ${p.instruction}`);
    else if (p.kind === 'pushed') write(`${who}pushed ${p.name.reference} ${p.name.digest}`);
  };
}
