import { withSuffix } from '../api-auth';

/** Quay's REST API: on the registry's own origin unless the user set another base. */
export function quayApiBase(registryBase: URL, configured: string | undefined): string {
  return withSuffix(configured ?? registryBase.origin, '/api/v1');
}
