import type { ProjectView } from '../../../shared/api/types';
import { loadProject } from '../../services/project/load-project';
import { parseEnvPairs, requireOne } from '../output';

/** The CLI reads the project exactly as the app does, with --env values as overrides. */
export async function loadForCli(values: Record<string, unknown>, positionals: string[]): Promise<ProjectView> {
  const dir = requireOne(positionals, 'project directory');
  return loadProject(dir, { envOverrides: parseEnvPairs(values.env) });
}
