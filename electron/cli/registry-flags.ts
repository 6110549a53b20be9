import type { RegistryTlsOverride } from '../services/registry-settings';

/** werf's own flags, so a CI job's werf options work for `stowage check` and `stowage tags` as they are. */
export const REGISTRY_TLS_OPTIONS = {
  'insecure-registry': { type: 'boolean' },
  'skip-tls-verify-registry': { type: 'boolean' },
} as const;

export const REGISTRY_TLS_USAGE = '[--insecure-registry] [--skip-tls-verify-registry]';


/** werf reads booleans from the environment as 1/true/yes, case-insensitively. */
function envTrue(value: string | undefined): boolean {
  return value !== undefined && /^(?:1|true|yes)$/i.test(value.trim());
}

/**
 * `--insecure-registry` (plain HTTP) and `--skip-tls-verify-registry`, or werf's
 * `WERF_INSECURE_REGISTRY` / `WERF_SKIP_TLS_VERIFY_REGISTRY`: for this command's registry only,
 * on top of its saved settings (which they never change).
 */
export function registryTlsOverride(values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): RegistryTlsOverride {
  const out: RegistryTlsOverride = {};
  if (values['insecure-registry'] === true || envTrue(env.WERF_INSECURE_REGISTRY)) out.plainHttp = true;
  if (values['skip-tls-verify-registry'] === true || envTrue(env.WERF_SKIP_TLS_VERIFY_REGISTRY)) out.insecureSkipVerify = true;
  return out;
}
