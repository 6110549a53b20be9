import { UserError } from '../../../shared/api/result';
import type { PublishProgress, PublishReport, PublishRequest } from '../../../shared/publish/types';
import type { EngineConnection } from '../../services/docker/engine';
import type { RegistryAccess } from '../../services/registry-access';
import { EXIT, formatProblem, json, type CommandOutput } from '../output';
import { loadForCli } from './load';
import { namingOptions, tagsFromGitWhenNone } from './naming-options';

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
  const { imagesRepo, mode, implementation, tags } = namingOptions(values, env);
  const view = await loadForCli(values, positionals);
  const note = tagsFromGitWhenNone(tags, view.git);
  const images = values.image as string[] | undefined;
  const insecure = values['insecure-registry'] === true || TRUE.has((env.WERF_INSECURE_REGISTRY ?? '').toLowerCase());
  const request: PublishRequest = {
    imagesRepo,
    implementation,
    mode,
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
  if (report.engine) {
    const e = report.engine;
    lines.push(`engine  ${e.version} (API ${e.apiVersion}, ${e.os}/${e.arch}, ${e.storageDriver}${e.rootless ? ', rootless' : ''}) at ${e.endpoint}`, `builder ${e.builder.reason}`);
    if (e.connectionNote) lines.push(`note    ${e.connectionNote}`);
    lines.push('');
  }
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
