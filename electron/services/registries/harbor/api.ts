import { withSuffix } from '../api-auth';

/** Harbor's REST API: on the registry's own origin unless the user set another base. */
export function harborApiBase(registryBase: URL, configured: string | undefined): string {
  return withSuffix(configured ?? registryBase.origin, '/api/v2.0');
}
