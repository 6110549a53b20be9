import { registryDeleteProbe } from '../../registry/permissions/registry-delete';
import type { DeletePermissionProbe } from '../../registry/permissions/types';

/** Artifact Registry (and gcr.io, now served by it): the all-zero digest delete through /v2. */
export const gcrProbe: DeletePermissionProbe = {
  method: 'DELETE /v2/<repo>/manifests/sha256:<64 zeros> (404 = allowed, 403 = denied)',
  probe: (ctx) =>
    registryDeleteProbe(ctx, {
      actions: ['delete'],
      deniedHint:
        'Deleting needs roles/artifactregistry.repoAdmin (or admin/owner) on the repository; roles/artifactregistry.writer can push and tag but not delete.',
    }),
};
