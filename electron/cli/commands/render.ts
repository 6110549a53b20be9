import { EXIT, formatProblem, type CommandOutput } from '../output';
import { loadForCli } from './load';

export async function runRender(values: Record<string, unknown>, positionals: string[]): Promise<CommandOutput> {
  // The giterminism warnings are `stowage images`' to print: render skips the git run behind them.
  const view = await loadForCli(values, positionals, { checkUncommitted: false });
  // Only problems that stop rendering matter here; config validation is `stowage images`' job.
  const blocking = view.rendered === null ? view.problems.filter((p) => p.severity === 'error') : [];
  const warnings = view.problems.filter((p) => p.code.startsWith('template') && p.severity === 'warning');
  const stderr = [...blocking, ...warnings].map(formatProblem).join('\n');
  if (view.rendered === null) return { stdout: '', stderr: stderr + '\n', code: EXIT.problems };
  // Byte for byte what werf prints (`werf config render` adds no newline of its own).
  return { stdout: view.rendered.text, stderr: stderr ? stderr + '\n' : '', code: EXIT.ok };
}
