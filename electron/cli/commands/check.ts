import type { CheckReport, CheckStatus, RegistrySettings } from '../../../shared/credentials/types';
import { implementationIds, implementationInfo, isImplementationChoice } from '../../../shared/registry/implementation-registry';
import { detectParsed, parseImagesRepo } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import type { CredentialResolver } from '../../services/credentials/types';
import { checkConnection, type CheckConnectionOptions } from '../../services/registry/check-connection';
import { EXIT, UsageError, escapeControls as esc, json, requireOne } from '../output';
import { withTlsOverride } from '../../services/registry-settings';
import { registryTlsOverride } from '../registry-flags';

export interface CheckDeps {
  resolver: CredentialResolver;
  settingsFor(registry: string): RegistrySettings | undefined;
  /** Tests inject DNS; the CLI itself uses the system resolver. */
  resolveHost?: CheckConnectionOptions['resolveHost'];
  signal?: AbortSignal;
  /** Where werf's WERF_INSECURE_REGISTRY / WERF_SKIP_TLS_VERIFY_REGISTRY are read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

/** The documented `--json` shape: stable, and free of secrets (the report never holds one). */
export function checkJson(report: CheckReport): Record<string, unknown> {
  const c = report.credentialSource;
  return {
    imagesRepo: report.imagesRepo,
    registry: report.registry,
    repository: report.repository,
    implementation: report.implementation,
    credentialSource: c ? c.source : null,
    credentialDetail: c ? `${c.sourceDetail}${c.username ? ` (user ${c.username})` : ''}` : null,
    readOk: report.readOk,
    // The JSON keeps to pass|fail|skip: a caveat (plain HTTP, an expiring certificate) is
    // `warning: true` on a pass; a step whose answer the registry would not give is a skip.
    steps: report.steps.map((s) => ({
      name: s.name,
      status: s.status === 'warn' ? (s.undetermined ? 'skip' : 'pass') : s.status,
      ...(s.status === 'warn' ? { warning: true } : {}),
      detail: s.detail,
      ...(s.hint !== undefined ? { hint: s.hint } : {}),
      ...(s.httpStatus !== undefined ? { httpStatus: s.httpStatus } : {}),
      ...(s.registryError !== undefined ? { registryError: s.registryError } : {}),
      durationMs: s.durationMs,
    })),
  };
}

export function formatCheck(report: CheckReport): string {
  const c = report.credentialSource;
  const lines = [
    `stowage check ${esc(report.imagesRepo)}`,
    `  implementation  ${report.implementation} (${implementationInfo(report.implementation).title})`,
    `  registry        ${esc(report.registry)}${report.repository ? `, repository ${esc(report.repository)}` : ''}`,
    `  credential      ${c ? `${c.source}: ${esc(c.sourceDetail)}${c.username ? `, user ${esc(c.username)}` : ''}` : 'none (anonymous)'}`,
    '',
  ];
  const width = Math.max(...report.steps.map((s) => s.title.length));
  for (const s of report.steps) {
    const time = s.status === 'skip' ? '' : ` (${s.durationMs} ms)`;
    // Details and hints quote the registry (error codes, messages, tag names): one line each, inert.
    lines.push(`${MARK[s.status]} ${s.title.padEnd(width)}  ${esc(s.detail)}${time}`);
    if (s.hint && s.status !== 'pass') lines.push(`  ${' '.repeat(width)}  fix: ${esc(s.hint)}`);
  }
  lines.push('', report.readOk ? 'Read access works.' : 'Read access does NOT work: see the ✗ steps above.');
  return lines.join('\n') + '\n';
}

/** `stowage check <images-repo> [--implementation NAME] [--insecure-registry] [--skip-tls-verify-registry] [--json]`: exit 0 when read access works, 1 otherwise. */
export async function runCheck(
  values: Record<string, unknown>,
  positionals: string[],
  deps: CheckDeps,
): Promise<{ stdout: string; stderr?: string; code: number }> {
  const imagesRepo = requireOne(positionals, 'images repo');
  const choice = typeof values.implementation === 'string' ? values.implementation : 'auto';
  if (!isImplementationChoice(choice)) {
    throw new UsageError(`unknown implementation "${choice}"; use auto or one of ${implementationIds().join(', ')}`);
  }
  const parsed = parseImagesRepo(imagesRepo);
  const implementation: Implementation = choice === 'auto' ? detectParsed(parsed).implementation : choice;
  const settings = parsed.registry !== '' ? withTlsOverride(parsed.registry, deps.settingsFor(parsed.registry), registryTlsOverride(values, deps.env ?? process.env)) : undefined;
  const { credential, unusable } = parsed.registry !== '' ? await deps.resolver.resolveWithProblems(parsed.registry, implementation, deps.signal) : { credential: null, unusable: [] };
  const report = await checkConnection({
    imagesRepo,
    implementation,
    credential,
    unusable,
    ...(settings ? { settings } : {}),
    ...(deps.resolveHost ? { resolveHost: deps.resolveHost } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const code = report.readOk ? EXIT.ok : EXIT.problems;
  if (values.json === true) return { stdout: json(checkJson(report)), code };
  return { stdout: formatCheck(report), code };
}
