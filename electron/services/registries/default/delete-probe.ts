import { registryDeleteProbe } from '../../registry/permissions/registry-delete';
import type { DeletePermissionProbe } from '../../registry/permissions/types';

/** CNCF distribution and any OCI registry: the all-zero digest delete. */
export const defaultProbe: DeletePermissionProbe = {
  method: 'DELETE /v2/<repo>/manifests/sha256:<64 zeros> (404 = allowed, 401/403 = denied, 405 = deletes disabled)',
  probe: (ctx) =>
    registryDeleteProbe(ctx, {
      actions: ['delete'],
      disabledHint: 'Deletes are disabled on the registry: set storage.delete.enabled: true in its config (REGISTRY_STORAGE_DELETE_ENABLED=true) and restart it.',
      deniedHint:
        ctx.scheme.kind === 'bearer'
          ? `The token server does not give this user "delete" on ${ctx.repository}: grant it in the token server's access rules.`
          : `The registry refuses deletes for this user: give it delete rights on ${ctx.repository}.`,
    }),
};
