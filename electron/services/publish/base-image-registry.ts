import { normalizeRegistryHost, parseImageReference } from '../../../shared/cleanup/reference';

/**
 * Whether a Dockerfile's base image comes from the registry publish logs in to, so its pull may
 * carry publish's credential. Both sides go through the shared normalisation: parseImagesRepo
 * names Hub `index.docker.io` while a base reference like `alpine:3.20` names no host at all, and
 * hosts compare case-insensitively. A credential goes to that one registry and no other.
 */
export function isFromPublishRegistry(ref: string, publishRegistry: string): boolean {
  const parsed = parseImageReference(ref);
  return parsed !== null && parsed.registry === normalizeRegistryHost(publishRegistry);
}
