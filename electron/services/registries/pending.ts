import type { RegistryDriver } from './types';

/**
 * The mutation members of a driver whose registry's delete and restore paths are not written yet:
 * every tag is `failed` with "not implemented", as data, and nothing is sent to the registry.
 */
export function notImplementedYet(title: string): Pick<RegistryDriver, 'deleteTags' | 'restoreTag'> {
  const error = (what: string) => ({ code: 'not-implemented', message: `${what} is not implemented yet for ${title}.`, hint: 'Nothing was changed in the registry.' });
  return {
    deleteTags: (_ctx, group) => Promise.resolve(group.tags.map((tag) => ({ tag, outcome: 'failed' as const, method: 'none', error: error('Deleting a tag') }))),
    restoreTag: () => Promise.resolve({ ok: false as const, error: error('Restoring a tag') }),
  };
}

/** The user a bare token logs in as when its source named none: the username, else `fallback`. */
export function namedOr(fallback: string): (username: string | undefined) => string {
  return (username) => username ?? fallback;
}
