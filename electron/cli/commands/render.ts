import { EXIT, formatProblem, type CommandOutput } from '../output';
import { loadForCli } from './load';

export async function runRender(values: Record<string, unknown>, positionals: string[]): Promise<CommandOutput> {
  const view = await loadForCli(values, positionals);
  // Only problems that stop rendering matter here; config validation is `stowage images`' job.
  const blocking = view.rendered === null ? view.problems.filter((p) => p.severity === 'error') : [];
  const warnings = view.problems.filter((p) => p.code.startsWith('template') && p.severity === 'warning');
  const stderr = [...blocking, ...warnings].map(formatProblem).join('\n');
  if (view.rendered === null) return { stdout: '', stderr: stderr + '\n', code: EXIT.problems };
  const text = view.rendered.text;
  return { stdout: text.endsWith('\n') ? text : text + '\n', stderr: stderr ? stderr + '\n' : '', code: EXIT.ok };
}
