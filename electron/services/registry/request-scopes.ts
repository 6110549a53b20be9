import { repositoryScope } from '../../../shared/registry/auth-challenge';
import type { HttpMethod } from './http';

/**
 * The token actions a Registry API call needs when its caller does not say: reads need `pull`, a
 * manifest PUT `pull,push`, a DELETE `delete` (distribution's token auth; registries that want
 * other actions, such as Quay's `pull,push`, say so in their 401 challenge, and RegistryAuth asks
 * again with that scope, or the driver names its actions itself).
 */
export function defaultActions(method: HttpMethod): readonly string[] {
  if (method === 'GET' || method === 'HEAD') return ['pull'];
  if (method === 'DELETE') return ['delete'];
  return ['pull', 'push'];
}

export function requestScopes(repository: string, method: HttpMethod, actions?: readonly string[]): string[] {
  return [repositoryScope(repository, actions ?? defaultActions(method))];
}
