import type { CredentialSummary } from '../../../../shared/credentials/types';
import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import { logIn } from '../../inventory/connect';
import type { AuthScheme } from '../registry-auth';
import { compareGrant } from '../token-claims';
import type { CheckState, CheckStepDef, Outcome } from './state';
import { fromError, noRepository } from './state';

/** "docker-credential-desktop (credsStore in ~/.docker/config.json): docker-credential-desktop is not installed; and 1 more …" */
function describeUnusable(unusable: readonly CredentialSummary[]): string {
  const one = (u: CredentialSummary): string => `${u.sourceDetail}: ${u.problem ?? 'cannot be used'}`;
  const shown = unusable.slice(0, 3).map(one).join('; ');
  const more = unusable.length - 3;
  return more > 0 ? `${shown}; and ${more} more (the credentials list shows them all)` : shown;
}

/** The scheme the ping found; the pipeline never runs a step after a ping that found none. */
function schemeOf(state: CheckState): AuthScheme {
  if (state.scheme === null) throw new Error('the check ran a step that needs the ping before the ping');
  return state.scheme;
}

/** 4. Credentials: the login the driver makes of the credential, verified against the registry. */
export const credentialsStep: CheckStepDef = {
  name: 'credentials',
  async run(state) {
    const { credential: cred, registry } = state;
    const s = schemeOf(state);
    const sourceText = cred ? `${cred.summary.source} (${cred.summary.sourceDetail})${cred.summary.username ? `, user "${cred.summary.username}"` : ''}` : 'no credential found';
    // Sources that exist but cannot be used; they only matter when nothing usable was found, and
    // then they, not "no credential found", are what the user has to fix.
    const blocked = cred ? [] : state.unusable;
    const loginHint = `Log in (docker login ${registry}) or save a credential for ${registry} in Stowage.`;
    const blockedHints = [...new Set(blocked.map((u) => u.hint).filter((h): h is string => h !== undefined && h !== ''))];
    const blockedHint = blockedHints.length > 0 ? blockedHints.slice(0, 2).join(' ') : loginHint;
    if (cred && !cred.summary.usable) {
      return { status: 'fail', detail: `${sourceText}: ${cred.summary.problem ?? 'not usable'}`, hint: cred.summary.hint ?? `Log in to ${registry} again.` };
    }
    const prepared = await logIn({
      implementation: state.implementation,
      registry,
      baseUrl: state.baseUrl,
      credential: cred,
      settings: state.settings,
      http: state.http,
      scheme: s,
      details: state.details,
      sdkTimeouts: state.sdkTimeouts,
      ...(state.signal ? { signal: state.signal } : {}),
      onSecret: (v) => state.redactor.add(v),
    });
    if (!prepared.ok) {
      const o: Outcome = { status: 'fail', detail: `${sourceText}: ${prepared.error.message}`, hint: prepared.error.hint };
      if (prepared.error.httpStatus !== undefined) o.httpStatus = prepared.error.httpStatus;
      if (prepared.error.registryError !== undefined) o.registryError = prepared.error.registryError;
      return o;
    }
    state.auth.setLogin(prepared.value.login);
    const v = await state.auth.verifyLogin(state.signal);
    if (!v.ok) {
      const o = fromError(v.error, sourceText);
      if (v.error.status === 401 && cred) o.detail += `: wrong user name or password for ${registry}`;
      if (!cred && blocked.length > 0) {
        o.detail = `No usable credential for ${registry}: ${describeUnusable(blocked)}; and anonymous access is refused${v.error.status !== undefined ? ` (${v.error.status})` : ` (${v.error.message})`}`;
        o.hint = blockedHint;
      } else if (!cred) {
        o.detail = `No credential found for ${registry}, and it does not allow anonymous access (${v.error.message})`;
        o.hint = loginHint;
      }
      return o;
    }
    if (!cred && blocked.length > 0) {
      // Stowage goes on anonymously, but a source meant for this registry is broken (docker
      // itself fails on a missing helper even where no login is needed): say so and how to fix it.
      const anonymous = s.kind === 'none' ? `the registry needs no credential (${v.value.detail})` : `anonymous access works (${v.value.detail}), which usually means public repositories only`;
      return { status: 'warn', detail: `No usable credential for ${registry}: ${describeUnusable(blocked)}; ${anonymous}`, hint: blockedHint };
    }
    if (!cred) {
      if (s.kind === 'none') return { status: 'pass', detail: `No credential needed: ${v.value.detail}` };
      return {
        status: 'warn',
        detail: `No credential found for ${registry}; anonymous access works (${v.value.detail}), which usually means public repositories only`,
        hint: `To publish or clean up, log in (docker login ${registry}) or save a credential for ${registry} in Stowage.`,
      };
    }
    return { status: 'pass', detail: `${sourceText}; ${prepared.value.detail}; ${v.value.detail}`, httpStatus: v.value.status };
  },
  stopAfter: (o) => (o.status === 'fail' ? 'Not run: the credentials step failed.' : null),
};

type TokenStepName = 'token-pull' | 'token-push' | 'token-delete';

const REFUSED: Record<TokenStepName, (who: string, repository: string) => string> = {
  'token-pull': (who, repository) => `${who} may not pull ${repository}: check the repository path, or ask for read access.`,
  'token-push': (who, repository) => `${who} may not push to ${repository}: publishing will fail until push is granted.`,
  'token-delete': (who, repository) => `${who} may not delete in ${repository}: cleanup will fail until delete is granted.`,
};

/** 5–7. A token for the repository with these actions, and what the token server really granted. */
function tokenStep(name: TokenStepName, actions: string[], required: boolean): CheckStepDef {
  return {
    name,
    async run(state) {
      const skipped = noRepository(state, `images go to ${state.written}/<image>, so there is no single repository to ask about.`);
      if (skipped) return skipped;
      const repository = state.repository!;
      const s = schemeOf(state);
      const login = state.auth.login;
      if (login.kind === 'registry-token') return { status: 'skip', detail: 'A registry token is sent as is: no token server is asked.' };
      if (s.kind === 'none') return { status: 'skip', detail: 'The registry does not ask for authentication.' };
      if (s.kind !== 'bearer') return { status: 'skip', detail: `${state.registry} uses Basic auth: there are no tokens, the user name and password go with every request.` };
      const scope = repositoryScope(repository, actions);
      const t = await state.auth.token([scope], state.signal);
      if (!t.ok) return fromError(t.error, `token for ${scope}`);
      if (name === 'token-delete') state.deleteToken = t.value;
      const cmp = compareGrant([scope], t.value.grant);
      const expires = Number.isFinite(t.value.expiresAt) ? `, valid until ${new Date(t.value.expiresAt).toISOString()}` : '';
      if (!cmp.inspectable) {
        return { status: 'pass', detail: `Asked for ${scope}: a token was issued${expires}, but ${cmp.reason ?? 'it cannot be read'}; the later steps test what it really allows` };
      }
      const r = cmp.resources[0]!;
      const granted = r.granted.length > 0 ? r.granted.join(',') : 'nothing';
      if (r.missing.length === 0) return { status: 'pass', detail: `Asked for ${scope}; granted ${granted}${expires}` };
      const who = login.kind === 'anonymous' ? 'anonymous users' : login.kind === 'basic' ? `user "${login.username}"` : 'this identity';
      return {
        status: required ? 'fail' : 'warn',
        detail: `Asked for ${scope}; the token server granted ${granted} (fewer actions than asked: ${r.missing.join(',')} missing; token servers do not report a refusal, they just grant less)`,
        hint: REFUSED[name](who, repository),
      };
    },
  };
}

export const tokenPullStep = tokenStep('token-pull', ['pull'], true);
export const tokenPushStep = tokenStep('token-push', ['pull', 'push'], false);
export const tokenDeleteStep = tokenStep('token-delete', ['delete'], false);
