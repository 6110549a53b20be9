import { homedir } from 'node:os';
import type { CredentialSummary } from '../../../shared/credentials/types';
import { parseImagesRepo } from '../../../shared/registry/detect';
import { defaultSettingsDir } from '../../app/create-app';
import { compareHosts, normaliseRegistryHost } from '../../services/credentials/hosts';
import { createCredentialResolver } from '../../services/credentials/resolver';
import { createSavedStore, memoryOnlyCipher, userOnlyFileStore } from '../../services/credentials/saved-store';
import type { CredentialResolver, Environment } from '../../services/credentials/types';
import { EXIT, json, UsageError, type CommandOutput } from '../output';

/**
 * `stowage credentials [REGISTRY|IMAGES_REPO...] [--json]`: every credential source found, per
 * registry host, in the order Stowage would use them. Secrets are never printed, only where each
 * credential comes from and whether it can be used.
 *
 * JSON (stable): `{ "registries": [{ "registry": "ghcr.io", "sources": [CredentialSummary, ...] }] }`,
 * registries sorted by host, sources in resolution order: the first with `usable: true` is the one
 * Stowage uses. Named registries appear even when nothing was found for them (`sources: []`).
 */

export interface CredentialsCommandDeps {
  env?: Environment;
  homeDir?: string;
  settingsDir?: string;
  /** Replaces the whole lookup (tests of the output only). */
  resolver?: CredentialResolver;
  signal?: AbortSignal;
}

export interface RegistryCredentials {
  registry: string;
  sources: CredentialSummary[];
}

const FATAL_ADDRESS_PROBLEMS: ReadonlySet<string> = new Set(['images-repo-invalid-host', 'images-repo-empty', 'images-repo-whitespace', 'images-repo-empty-component']);

function registriesFrom(positionals: string[]): string[] {
  return positionals.map((p) => {
    const parsed = parseImagesRepo(p);
    // Only the host matters here, so an image reference with a tag or digest is fine.
    const error = parsed.problems.find((problem) => problem.severity === 'error' && FATAL_ADDRESS_PROBLEMS.has(problem.code));
    if (parsed.registry === '' || error) {
      throw new UsageError(`"${p}" is not a registry host or images repo address${error ? `: ${error.message}` : ''}`);
    }
    return normaliseRegistryHost(parsed.registry);
  });
}

export function groupByRegistry(summaries: CredentialSummary[], asked: string[] = []): RegistryCredentials[] {
  const groups = new Map<string, CredentialSummary[]>();
  for (const r of asked) groups.set(r, []);
  for (const s of summaries) {
    const list = groups.get(s.registry);
    if (list) list.push(s);
    else groups.set(s.registry, [s]);
  }
  return [...groups.entries()].sort(([a], [b]) => compareHosts(a, b)).map(([registry, sources]) => ({ registry, sources }));
}

function describe(s: CredentialSummary): string {
  const parts: string[] = [s.source, s.kind];
  if (s.username) parts.push(`user ${s.username}`);
  if (s.expiresAt) parts.push(`expires ${s.expiresAt}`);
  return `${parts.join('  ')}  ${s.sourceDetail}`;
}

function text(groups: RegistryCredentials[]): string {
  if (groups.length === 0) {
    return [
      'No registry credentials found.',
      'Log in with docker login, set the werf or CI variables, or name a registry to check its cloud',
      'credentials too, e.g. stowage credentials 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      '',
    ].join('\n');
  }
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(g.registry);
    if (g.sources.length === 0) lines.push('    (nothing found: Stowage would connect anonymously)');
    let chosen = false;
    for (const s of g.sources) {
      // "*" the one Stowage uses, "-" found but shadowed by an earlier source, "!" cannot be used.
      const mark = !s.usable ? '!' : chosen ? '-' : '*';
      if (s.usable) chosen = true;
      lines.push(`  ${mark} ${describe(s)}`);
      if (s.problem) lines.push(`      problem: ${s.problem}`);
      if (s.hint) lines.push(`      fix: ${s.hint}`);
    }
  }
  lines.push('', '* used by Stowage   - also found   ! cannot be used. Secrets are never shown.');
  lines.push('AWS, Azure and Google credentials are checked for the registries listed; name another to check it.');
  return lines.join('\n') + '\n';
}

export async function runCredentials(values: Record<string, unknown>, positionals: string[], deps: CredentialsCommandDeps = {}): Promise<CommandOutput> {
  const asked = registriesFrom(positionals);
  const env = deps.env ?? process.env;
  const resolver =
    deps.resolver ??
    createCredentialResolver({
      env,
      homeDir: deps.homeDir ?? homedir(),
      // The CLI has no keyring binding: it can read browser-host files and names desktop-app
      // entries (without opening them). It never writes: listing only reads.
      savedStore: createSavedStore({ settingsDir: deps.settingsDir ?? defaultSettingsDir(env), cipher: memoryOnlyCipher(), optIn: userOnlyFileStore() }),
    });
  const summaries = await resolver.list(deps.signal, { registries: asked });
  const groups = groupByRegistry(summaries, asked);
  if (values.json === true) return { stdout: json({ registries: groups }), code: EXIT.ok };
  return { stdout: text(groups), code: EXIT.ok };
}
