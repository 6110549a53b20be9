import type { KnownRegistry, RegistriesView, RegistryLogin, RegistryOrigin } from '../../../../shared/api/registries';
import type { CredentialSummary, RegistrySettings } from '../../../../shared/credentials/types';
import { detectImplementation } from '../../../../shared/registry/detect';
import { implementationInfo, isImplementation } from '../../../../shared/registry/implementation-registry';
import type { Implementation } from '../../../../shared/registry/implementations';
import { compareHosts, normaliseRegistryHost } from '../../credentials/hosts';
import type { RegistryBookData } from './registry-book';

const ORIGIN_OF_SOURCE: Record<CredentialSummary['source'], RegistryOrigin> = {
  'docker-auth-config-env': 'docker-config',
  'docker-config': 'docker-config',
  'credential-helper': 'docker-config',
  'werf-env': 'environment',
  'github-env': 'environment',
  'gitlab-ci-env': 'environment',
  'aws-chain': 'cloud',
  'azure-chain': 'cloud',
  'google-token': 'cloud',
  saved: 'saved-credential',
  session: 'saved-credential',
};

/** Cloud chains answer for any host of their kind; alone they do not make a registry "known". */
const AMBIENT: ReadonlySet<RegistryOrigin> = new Set(['cloud']);

/**
 * The login state the page shows: the credential the resolver would try first (its summaries come
 * in resolution order), expired when its expiry has passed, unusable when a source exists but
 * cannot give a secret (a helper missing), none otherwise.
 */
export function loginOf(summaries: readonly CredentialSummary[], now: number): RegistryLogin {
  const usable = summaries.find((s) => s.usable);
  const pick = usable ?? summaries[0];
  if (!pick) return { state: 'none' };
  const expired = pick.expiresAt !== undefined && Date.parse(pick.expiresAt) <= now;
  const login: RegistryLogin = { state: expired ? 'expired' : usable ? 'found' : 'unusable', source: pick.source, sourceDetail: pick.sourceDetail };
  if (pick.username) login.username = pick.username;
  if (pick.expiresAt) login.expiresAt = pick.expiresAt;
  if (pick.problem) login.problem = pick.problem;
  if (pick.hint) login.hint = pick.hint;
  return login;
}

export interface ViewInputs {
  summaries: readonly CredentialSummary[];
  settings: readonly RegistrySettings[];
  book: RegistryBookData;
  now: number;
}

/** Every registry any source names, one row each, sorted by host. */
export function registriesView(input: ViewInputs): RegistriesView {
  const rows = new Map<string, { origins: Set<RegistryOrigin>; summaries: CredentialSummary[] }>();
  const row = (host: string) => {
    let r = rows.get(host);
    if (!r) {
      r = { origins: new Set(), summaries: [] };
      rows.set(host, r);
    }
    return r;
  };
  for (const s of input.summaries) {
    const r = row(normaliseRegistryHost(s.registry));
    r.origins.add(ORIGIN_OF_SOURCE[s.source]);
    r.summaries.push(s);
  }
  for (const s of input.settings) row(normaliseRegistryHost(s.registry)).origins.add('settings');
  for (const e of input.book.entries) row(e.registry).origins.add('added');
  for (const r of input.book.recent) row(r.registry).origins.add('recent');
  for (const host of Object.keys(input.book.tests)) row(host);

  const registries: KnownRegistry[] = [];
  for (const [host, r] of rows) {
    if (host === '') continue;
    if (r.origins.size === 0 || [...r.origins].every((o) => AMBIENT.has(o))) continue;
    const settings = input.settings.find((s) => normaliseRegistryHost(s.registry) === host) ?? null;
    const entry = input.book.entries.find((e) => e.registry === host);
    const chosen = settings?.implementation ?? entry?.implementation;
    const implementation: Implementation = chosen && isImplementation(chosen) ? chosen : detectImplementation(host).implementation;
    const recentRepos = input.book.recent.filter((x) => x.registry === host).map((x) => x.imagesRepo);
    registries.push({
      registry: host,
      implementation,
      implementationSource: chosen ? 'setting' : 'detected',
      implementationTitle: implementationInfo(implementation).title,
      origins: [...r.origins].sort(),
      login: loginOf(r.summaries, input.now),
      lastTest: input.book.tests[host] ?? null,
      settings,
      recentRepos,
      removable: Boolean(settings || entry || recentRepos.length > 0 || input.book.tests[host] || r.summaries.some((s) => s.source === 'saved' || s.source === 'session')),
    });
  }
  registries.sort((a, b) => compareHosts(a.registry, b.registry));
  return { registries, notes: [] };
}
