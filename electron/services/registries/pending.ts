import type { RegistryDriver } from './types';

/**
 * The mutation members of a driver that its registry's cleanup and publish work has not filled
 * yet: each answers, as data, that the operation is not implemented for this registry.
 */
export function notImplementedYet(title: string): Pick<RegistryDriver, 'deleteTag' | 'deleteManifest' | 'restoreTag'> {
  const no = (what: string) => () =>
    Promise.resolve({
      ok: false as const,
      error: { code: 'not-implemented', message: `${what} is not implemented yet for ${title}.`, hint: 'Nothing was changed in the registry.' },
    });
  return { deleteTag: no('Deleting a tag'), deleteManifest: no('Deleting a manifest'), restoreTag: no('Restoring a tag') };
}

/** The user a bare token logs in as when its source named none: the username, else `fallback`. */
export function namedOr(fallback: string): (username: string | undefined) => string {
  return (username) => username ?? fallback;
}
