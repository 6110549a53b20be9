import { previewNames } from '../../../shared/naming/preview';
import { EXIT, formatProblem, json, type CommandOutput } from '../output';
import { loadForCli } from './load';
import { namingOptions, tagsFromGitWhenNone } from './naming-options';

export async function runPreview(values: Record<string, unknown>, positionals: string[]): Promise<CommandOutput> {
  const { imagesRepo, mode, implementation, tags } = namingOptions(values);
  const view = await loadForCli(values, positionals);
  const note = tagsFromGitWhenNone(tags, view.git);
  const result = previewNames({
    images: view.images.filter((i) => i.final && i.kind !== 'artifact').map((i) => ({ name: i.name })),
    imagesRepo,
    mode,
    implementation,
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
