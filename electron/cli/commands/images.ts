import { hasErrors } from '../../../shared/problems';
// Not from parse.ts: that would load the parser and YAML here, outside the code-cached loader bundle.
import { werfListOrder } from '../../../shared/werf-config/list-order';
import { EXIT, formatProblem, json, type CommandOutput } from '../output';
import { loadForCli } from './load';

export async function runImages(values: Record<string, unknown>, positionals: string[]): Promise<CommandOutput> {
  const view = await loadForCli(values, positionals);
  const code = hasErrors(view.problems) ? EXIT.problems : EXIT.ok;
  // `werf config list` lists Dockerfile images first; the build order is the dependency graph's.
  const werfOrder = werfListOrder(view.images).map((i) => view.images[i]!.name);
  const reordered = werfOrder.some((name, i) => name !== view.images[i]!.name);
  if (values.json) {
    return {
      code,
      stdout: json({
        project: view.project,
        configVersion: view.configVersion,
        images: view.images.map((i) => ({
          name: i.name,
          kind: i.kind,
          ...(i.dockerfile !== undefined ? { dockerfile: i.dockerfile } : {}),
          ...(i.context !== undefined ? { context: i.context } : {}),
          ...(i.target !== undefined ? { target: i.target } : {}),
          ...(i.args !== undefined ? { args: i.args } : {}),
          ...(i.from !== undefined ? { from: i.from } : {}),
          ...(i.fromImage !== undefined ? { fromImage: i.fromImage } : {}),
          ...(i.fromArtifact !== undefined ? { fromArtifact: i.fromArtifact } : {}),
          dependsOn: i.dependsOn,
          final: i.final,
          source: { file: i.source.file, line: i.source.line },
        })),
        werfOrder,
        problems: view.problems,
      }),
    };
  }
  const lines = [`${view.project ?? '(no project name)'}: ${view.images.length} image${view.images.length === 1 ? '' : 's'} in ${view.configFile ?? 'no config'}`];
  for (const i of view.images) {
    const parts: string[] = [i.kind];
    if (i.dockerfile) parts.push(`dockerfile=${i.dockerfile}`);
    if (i.context) parts.push(`context=${i.context}`);
    if (i.target) parts.push(`target=${i.target}`);
    if (i.from) parts.push(`from=${i.from}`);
    if (i.fromImage) parts.push(`fromImage=${i.fromImage}`);
    if (i.dependsOn.length) parts.push(`needs=${i.dependsOn.join(',')}`);
    if (!i.final) parts.push('not final');
    lines.push(`  ${(i.name ?? '~ (nameless)').padEnd(24)} ${parts.join('  ')}  ${i.source.file}:${i.source.line}`);
  }
  if (reordered) lines.push(`werf config list shows them in this order: ${werfOrder.map((n) => n ?? '~').join(', ')}`);
  const stderr = view.problems.map(formatProblem).join('\n');
  return { stdout: lines.join('\n') + '\n', stderr: stderr ? stderr + '\n' : '', code };
}
