import { lookup as dnsLookup } from 'node:dns/promises';
import { NOT_A_TAG_LIST_HINT, parseTagList } from '../inventory/registry-api';
import type { EcrSdkTimeouts } from './ecr-client';
import { performance } from 'node:perf_hooks';
import type { CheckReport, CheckStatus, CheckStep, CheckStepName, CredentialSummary, RegistrySettings } from '../../../shared/credentials/types';
import { repositoryScope } from '../../../shared/registry/auth-challenge';
import { isAccountAddress } from '../../../shared/registry/catalogue';
import { detectParsed, parseImagesRepo } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import type { ResolvedCredential } from '../credentials/types';
import { classifyError, httpError, safeUrl, tlsHint, type RegistryHttpError } from './errors';
import { RegistryHttp, isIpLiteral } from './http';
import { prepareLogin } from './logins';
import { registryDriver } from '../registries';
import type { DeleteVerdict } from './permissions/types';
import { Redactor } from './redactor';
import { RegistryAuth, type AuthScheme, type IssuedToken } from './registry-auth';
import { isLoopbackHost, loopbackFallbackNote } from './loopback';
import { probeTls } from './tls-probe';
import { compareGrant } from './token-claims';

export interface CheckConnectionOptions {
  imagesRepo: string;
  implementation?: Implementation | 'auto';
  settings?: RegistrySettings;
  credential: ResolvedCredential | null;
  /**
   * Sources that exist for the registry but cannot give a credential (CredentialResolver
   * resolveWithProblems().unusable). With no credential, the credentials step reports them and
   * their fixes ("docker-credential-desktop is not installed") instead of "no credential found".
   */
  unusable?: readonly CredentialSummary[];
  signal?: AbortSignal;
  onStep?: (step: CheckStep) => void;
  /** Injectable DNS (tests, split-horizon setups); also used for every connection the check makes. */
  resolveHost?: (host: string) => Promise<string[]>;
  /** Shorter AWS SDK timeouts (tests); the defaults otherwise. */
  sdkTimeouts?: EcrSdkTimeouts;
}

const TITLES: Record<CheckStepName, string> = {
  resolve: 'Resolve the host name',
  tls: 'TLS handshake',
  ping: 'Registry API (GET /v2/)',
  credentials: 'Credentials',
  'token-pull': 'Token for pull',
  'token-push': 'Token for push',
  'token-delete': 'Token for delete',
  'list-tags': 'List tags',
  'delete-permission': 'Delete permission (nothing is deleted)',
};

const ORDER: CheckStepName[] = ['resolve', 'tls', 'ping', 'credentials', 'token-pull', 'token-push', 'token-delete', 'list-tags', 'delete-permission'];

type Outcome = Pick<CheckStep, 'status' | 'detail' | 'hint' | 'httpStatus' | 'registryError' | 'undetermined'>;

function fromError(error: RegistryHttpError, prefix?: string): Outcome {
  const out: Outcome = { status: 'fail', detail: prefix ? `${prefix}: ${error.message}` : error.message, hint: error.hint };
  if (error.status !== undefined) out.httpStatus = error.status;
  const words = [error.registryCode, error.registryMessage].filter((s): s is string => s !== undefined).join(': ');
  if (words) out.registryError = words;
  return out;
}

class Steps {
  readonly list: CheckStep[] = [];
  constructor(
    private readonly redactor: Redactor,
    private readonly onStep?: (step: CheckStep) => void,
  ) {}

  async run(name: CheckStepName, fn: () => Promise<Outcome>): Promise<Outcome> {
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await fn();
    } catch (error) {
      // A bug or an SDK surprise must not lose the report: the step says what blew up.
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      outcome = { status: 'fail', detail: `Unexpected error: ${message.split('\n')[0]}`, hint: 'This is a Stowage problem; please report it with the detail above.' };
    }
    this.#emit(name, outcome, Math.round(performance.now() - started));
    return outcome;
  }

  skip(name: CheckStepName, detail: string): void {
    this.#emit(name, { status: 'skip', detail }, 0);
  }

  #emit(name: CheckStepName, o: Outcome, durationMs: number): void {
    const step: CheckStep = { name, title: TITLES[name], status: o.status, detail: o.detail, durationMs };
    if (o.hint !== undefined) step.hint = o.hint;
    if (o.httpStatus !== undefined) step.httpStatus = o.httpStatus;
    if (o.registryError !== undefined) step.registryError = o.registryError;
    if (o.undetermined) step.undetermined = true;
    const clean = this.redactor.scrubDeep(step);
    this.list.push(clean);
    this.onStep?.(clean);
  }
}

function splitHost(host: string): { hostname: string; port: number | null } {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    const rest = host.slice(end + 1);
    return { hostname: host.slice(0, end + 1), port: rest.startsWith(':') ? Number(rest.slice(1)) : null };
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? { hostname: host, port: null } : { hostname: host.slice(0, colon), port: Number(host.slice(colon + 1)) };
}

async function systemResolve(host: string): Promise<string[]> {
  const all = await dnsLookup(host, { all: true });
  return all.map((a) => a.address);
}

function describeScheme(scheme: AuthScheme): string {
  switch (scheme.kind) {
    case 'none':
      return 'no authentication required';
    case 'basic':
      return `Basic auth${scheme.realm !== undefined ? ` (realm "${scheme.realm}")` : ''}`;
    case 'bearer':
      return `token auth: realm ${safeUrl(scheme.realm)}${scheme.service !== undefined ? `, service "${scheme.service}"` : ''}`;
    case 'unknown':
      return `401 with a challenge Stowage does not understand${scheme.header ? ` (${scheme.header.slice(0, 120)})` : ''}`;
  }
}

/** "docker-credential-desktop (credsStore in ~/.docker/config.json): docker-credential-desktop is not installed; and 1 more …" */
function describeUnusable(unusable: readonly CredentialSummary[]): string {
  const one = (u: CredentialSummary): string => `${u.sourceDetail}: ${u.problem ?? 'cannot be used'}`;
  const shown = unusable.slice(0, 3).map(one).join('; ');
  const more = unusable.length - 3;
  return more > 0 ? `${shown}; and ${more} more (the credentials list shows them all)` : shown;
}

function verdictStatus(v: DeleteVerdict): CheckStatus {
  return v === 'allowed' ? 'pass' : v === 'unknown' ? 'warn' : 'fail';
}

/**
 * "Test connection" for an images repo: DNS → TLS → /v2/ → credentials → tokens for pull, push
 * and delete → list tags → may this credential delete (probed without deleting anything). Every
 * step reports status, time, HTTP status, the registry's own words and the fix. Never throws.
 */
export async function checkConnection(opts: CheckConnectionOptions): Promise<CheckReport> {
  const redactor = new Redactor();
  const cred = opts.credential;
  if (cred) {
    const s = cred.secret;
    if (s.kind === 'basic') redactor.add(s.password);
    else if (s.kind === 'identity-token' || s.kind === 'registry-token' || s.kind === 'bearer-token' || s.kind === 'google-token') redactor.add(s.token);
  }
  const steps = new Steps(redactor, opts.onStep);

  const parsed = parseImagesRepo(opts.imagesRepo);
  const detection = detectParsed(parsed);
  const implementation: Implementation = opts.implementation && opts.implementation !== 'auto' ? opts.implementation : detection.implementation;
  const driver = registryDriver(implementation);
  const registry = parsed.registry;
  const written = parsed.repository;
  const repository = written === null || isAccountAddress(driver.info, registry, written) ? null : written;
  const report = (readOk: boolean): CheckReport =>
    redactor.scrubDeep({
      imagesRepo: opts.imagesRepo,
      implementation,
      registry,
      repository,
      credentialSource: cred ? cred.summary : null,
      steps: steps.list,
      readOk,
    });

  const fatal = parsed.problems.find((p) => p.severity === 'error' && (p.code === 'images-repo-empty' || p.code === 'images-repo-invalid-host'));
  if (registry === '' || fatal) {
    const o: Outcome = { status: 'fail', detail: `Not a usable images repo: ${fatal?.message ?? 'empty address'}` };
    if (fatal?.hint !== undefined) o.hint = fatal.hint;
    await steps.run('resolve', async () => o);
    for (const n of ORDER.slice(1)) steps.skip(n, 'Not run: the address is not usable.');
    return report(false);
  }

  const apiHost = driver.apiHost(registry);
  const settings = opts.settings;
  const plainHttp = settings?.plainHttp === true;
  let baseUrl = new URL(`${plainHttp ? 'http' : 'https'}://${apiHost}`);
  const http = new RegistryHttp({
    settings: (host) => (host === registry || host === apiHost ? settings : undefined),
    ...(opts.resolveHost ? { resolveHost: opts.resolveHost } : {}),
    timeouts: { connectMs: 10_000, headersMs: 20_000, bodyMs: 20_000, totalMs: 30_000 },
  });
  const authAt = (url: URL) => new RegistryAuth({ http, registry, baseUrl: url, login: { kind: 'anonymous' }, onSecret: (v) => redactor.add(v), tokenRealmHosts: driver.tokenRealmHosts(registry) });
  let auth = authAt(baseUrl);
  const signal = opts.signal;
  const sig = signal ? { signal } : {};

  try {
    const skipRest = (from: CheckStepName, why: string): void => {
      for (const n of ORDER.slice(ORDER.indexOf(from))) steps.skip(n, why);
    };
    const cancelled = (): boolean => signal?.aborted === true;

    // 1. DNS
    const { hostname, port } = splitHost(apiHost);
    const resolve = await steps.run('resolve', async () => {
      if (isIpLiteral(hostname)) return { status: 'pass', detail: `${hostname} is an IP address: nothing to resolve` };
      try {
        const addresses = await (opts.resolveHost ?? systemResolve)(hostname);
        if (addresses.length === 0) return { status: 'fail', detail: `${hostname} resolves to no address`, hint: `Check the DNS record of ${hostname}.` };
        const shown = addresses.slice(0, 4).join(', ') + (addresses.length > 4 ? `, … (${addresses.length} in all)` : '');
        return { status: 'pass', detail: `${hostname} → ${shown}` };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const c = typeof code === 'string' ? code : 'ENOTFOUND';
        const e = classifyError({ code: c, message: `lookup ${hostname}` }, { method: 'LOOKUP', url: baseUrl });
        return { status: 'fail', detail: `${hostname} does not resolve (${c})`, hint: e.hint };
      }
    });
    if (resolve.status === 'fail') {
      skipRest('tls', `Not run: ${hostname} does not resolve.`);
      return report(false);
    }

    // 2. TLS. A loopback registry that does not speak https is reached over plain HTTP, as
    // Docker (127.0.0.0/8 is insecure by default) and go-containerregistry do; never another host.
    const loopbackPlainHttp = async (httpsFailure: string): Promise<Outcome | null> => {
      if (!isLoopbackHost(apiHost)) return null;
      const plainUrl = new URL(`http://${apiHost}`);
      const answer = await http.request({ method: 'GET', url: new URL('/v2/', plainUrl), retry: false, maxBytes: 64 * 1024, ...sig });
      if (!answer.ok) return null;
      baseUrl = plainUrl;
      auth = authAt(plainUrl);
      return {
        status: 'warn',
        detail: loopbackFallbackNote(apiHost, httpsFailure),
        hint: `Serve ${apiHost} with TLS, or turn on plain HTTP for it in Registry access (the CLI: --insecure-registry) to say it is meant.`,
      };
    };
    const tls = await steps.run('tls', async () => {
      if (plainHttp) {
        return { status: 'skip', detail: `Plain HTTP is enabled for ${registry}: no TLS, so traffic (credentials included) is not encrypted` };
      }
      const opt = await http.tlsOptionsFor(apiHost);
      if (!opt.ok) return fromError(opt.error);
      const trust = settings?.insecureSkipVerify ? 'verification skipped for this registry (setting)' : settings?.caFile ? `trusted through the CA file ${settings.caFile}` : 'trusted through the system CAs';
      const lookup = http.lookupFunction();
      const r = await probeTls({
        hostname,
        port: port ?? 443,
        ...(opt.options.ca ? { ca: opt.options.ca } : {}),
        ...(lookup ? { lookup } : {}),
        timeoutMs: 10_000,
        ...sig,
      });
      if (!r.ok) {
        const failed = r.stage === 'connect' ? `Connecting to ${apiHost} failed: ${r.message}` : `TLS handshake with ${apiHost} failed: ${r.message} (${r.code})`;
        const plain = await loopbackPlainHttp(r.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? 'it does not speak TLS on this port' : (r.message.split('\n')[0] ?? r.code));
        if (plain) return plain;
        if (r.stage === 'connect') {
          const e = classifyError(Object.assign(new Error(r.message), { code: r.code }), { method: 'CONNECT', url: baseUrl });
          return { status: 'fail', detail: failed, hint: e.hint };
        }
        return { status: 'fail', detail: failed, hint: tlsHint(r.code, apiHost) };
      }
      const c = r.certificate;
      const certText = `certificate ${c.subject}, issued by ${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}, valid until ${c.validTo} (${c.daysLeft} days left)${c.altNames.length > 0 ? `, names ${c.altNames.slice(0, 6).join(', ')}` : ''}`;
      if (!r.verified) {
        const why = `${r.verifyError?.code ?? 'UNTRUSTED'}: ${r.verifyError?.message ?? ''}`;
        if (settings?.insecureSkipVerify) {
          return { status: 'warn', detail: `${r.protocol}; ${certText}; ${trust}; it would fail verification (${why})`, hint: `Set this registry's CA file instead of skipping verification, so a man in the middle cannot read the credentials.` };
        }
        return { status: 'fail', detail: `${r.protocol}; ${certText}; not trusted: ${why}`, hint: tlsHint(r.verifyError?.code, apiHost, r.verifyError?.code === 'CERT_HAS_EXPIRED' ? `expired ${c.validTo}` : c.altNames.join(', ')) };
      }
      if (c.daysLeft < 14) {
        return { status: 'warn', detail: `${r.protocol}; ${certText}; ${trust}`, hint: `The certificate of ${apiHost} expires in ${c.daysLeft} days: renew it before then.` };
      }
      return { status: 'pass', detail: `${r.protocol}; ${certText}; ${trust}` };
    });
    if (tls.status === 'fail') {
      skipRest('ping', 'Not run: no trusted TLS connection.');
      return report(false);
    }

    // 3. GET /v2/
    const found: { scheme: AuthScheme | null } = { scheme: null };
    const ping = await steps.run('ping', async () => {
      const p = await auth.ping(signal);
      if (!p.ok) return fromError(p.error);
      const scheme = p.value.scheme;
      found.scheme = scheme;
      const o: Outcome = {
        status: scheme.kind === 'unknown' ? 'warn' : 'pass',
        detail: `GET ${safeUrl(new URL('/v2/', baseUrl))} → ${p.value.status}; ${describeScheme(scheme)}${p.value.apiVersion ? `; ${p.value.apiVersion}` : ''}`,
        httpStatus: p.value.status,
      };
      if (scheme.kind === 'unknown') o.hint = 'The registry asks for authentication in a way Stowage cannot answer; check that the address points at a container registry.';
      return o;
    });
    if (ping.status === 'fail' || found.scheme === null) {
      skipRest('credentials', 'Not run: the registry API did not answer.');
      return report(false);
    }
    const s: AuthScheme = found.scheme;

    // 4. Credentials
    const sourceText = cred
      ? `${cred.summary.source} (${cred.summary.sourceDetail})${cred.summary.username ? `, user "${cred.summary.username}"` : ''}`
      : 'no credential found';
    // Sources that exist but cannot be used; they only matter when nothing usable was found, and
    // then they, not "no credential found", are what the user has to fix.
    const blocked = cred ? [] : (opts.unusable ?? []);
    const loginHint = `Log in (docker login ${registry}) or save a credential for ${registry} in Stowage.`;
    const blockedHints = [...new Set(blocked.map((u) => u.hint).filter((h): h is string => h !== undefined && h !== ''))];
    const blockedHint = blockedHints.length > 0 ? blockedHints.slice(0, 2).join(' ') : loginHint;
    const credentials = await steps.run('credentials', async () => {
      if (cred && !cred.summary.usable) {
        return { status: 'fail', detail: `${sourceText}: ${cred.summary.problem ?? 'not usable'}`, hint: cred.summary.hint ?? `Log in to ${registry} again.` };
      }
      const prepared = await prepareLogin({
        driver,
        registry,
        baseUrl,
        credential: cred,
        settings,
        http,
        scheme: s,
        ...(detection.details?.ecr ? { ecr: detection.details.ecr } : {}),
        sdkTimeouts: opts.sdkTimeouts,
        ...sig,
        onSecret: (v) => redactor.add(v),
      });
      if (!prepared.ok) {
        const o: Outcome = { status: 'fail', detail: `${sourceText}: ${prepared.error.message}`, hint: prepared.error.hint };
        if (prepared.error.httpStatus !== undefined) o.httpStatus = prepared.error.httpStatus;
        if (prepared.error.registryError !== undefined) o.registryError = prepared.error.registryError;
        return o;
      }
      auth.setLogin(prepared.value.login);
      const v = await auth.verifyLogin(signal);
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
    });
    if (credentials.status === 'fail') {
      skipRest('token-pull', 'Not run: the credentials step failed.');
      return report(false);
    }
    if (cancelled()) {
      skipRest('token-pull', 'Not run: cancelled.');
      return report(false);
    }

    // 5–7. Tokens
    let deleteToken: IssuedToken | null = null;
    const tokenStep = async (name: 'token-pull' | 'token-push' | 'token-delete', actions: string[], required: boolean): Promise<Outcome> => {
      if (repository === null) return { status: 'skip', detail: written === null ? 'The images repo names no repository.' : `${written} is an account: images go to ${written}/<image>, so there is no single repository to ask about.` };
      const login = auth.login;
      if (login.kind === 'registry-token') return { status: 'skip', detail: 'A registry token is sent as is: no token server is asked.' };
      if (s.kind === 'none') return { status: 'skip', detail: 'The registry does not ask for authentication.' };
      if (s.kind !== 'bearer') return { status: 'skip', detail: `${registry} uses Basic auth: there are no tokens, the user name and password go with every request.` };
      const scope = repositoryScope(repository, actions);
      const t = await auth.token([scope], signal);
      if (!t.ok) return fromError(t.error, `token for ${scope}`);
      if (name === 'token-delete') deleteToken = t.value;
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
        hint:
          name === 'token-pull'
            ? `${who} may not pull ${repository}: check the repository path, or ask for read access.`
            : name === 'token-push'
              ? `${who} may not push to ${repository}: publishing will fail until push is granted.`
              : `${who} may not delete in ${repository}: cleanup will fail until delete is granted.`,
      };
    };
    await steps.run('token-pull', () => tokenStep('token-pull', ['pull'], true));
    await steps.run('token-push', () => tokenStep('token-push', ['pull', 'push'], false));
    await steps.run('token-delete', () => tokenStep('token-delete', ['delete'], false));

    // 8. List tags
    let repositoryExists: boolean | null = null;
    const list = await steps.run('list-tags', async () => {
      if (repository === null) return { status: 'skip', detail: written === null ? 'The images repo names no repository.' : `${written} is an account: there is no single repository to list.` };
      const path = `/v2/${repository}/tags/list?n=100`;
      const r = await auth.request({ method: 'GET', path, scopes: [repositoryScope(repository, ['pull'])], headers: { accept: 'application/json' }, maxBytes: 4 * 1024 * 1024, ...sig });
      if (!r.outcome.ok) return fromError(r.outcome.error);
      const res = r.outcome.response;
      const call = `GET /v2/${repository}/tags/list`;
      if (res.status === 200) {
        // The inventory's own parser: what passes here is what `tags` and the Inventory can read.
        const parsed = parseTagList(res.body);
        if (!parsed.ok) return { status: 'fail', detail: `${call} → 200, but ${parsed.error}`, hint: NOT_A_TAG_LIST_HINT, httpStatus: 200 };
        repositoryExists = true;
        const tags = parsed.value.tags.map((t) => t.tag);
        const more = res.headers.get('link')?.includes('rel="next"') ? ' (more pages follow)' : '';
        const sample = tags.slice(0, 5).join(', ') + (tags.length > 5 ? ', …' : '');
        return { status: 'pass', detail: `${call} → 200: ${tags.length === 0 ? 'no tags yet' : `${tags.length} tag${tags.length === 1 ? '' : 's'}${more}: ${sample}`}`, httpStatus: 200 };
      }
      const e = fromError(httpError({ method: 'GET', url: res.url, status: res.status, body: res.body, contentType: res.headers.get('content-type'), what: call }));
      if (res.status === 404) {
        repositoryExists = false;
        if (!driver.info.createsRepositoriesOnPush) {
          return {
            ...e,
            status: 'fail',
            detail: `${e.detail}: the repository does not exist yet, and ${driver.info.title} does not create repositories on push`,
            hint: driver.missingRepositoryHint?.(repository, detection.details?.ecr?.region) ?? `Create ${repository} in the registry before publishing.`,
          };
        }
        const created: Outcome = { status: 'pass', detail: `${e.detail}: the repository does not exist yet; the first push creates it`, httpStatus: 404 };
        if (e.registryError !== undefined) created.registryError = e.registryError;
        return created;
      }
      if (res.status === 401 || res.status === 403) {
        e.hint = auth.login.kind === 'anonymous' ? `${repository} is not public: log in to ${registry} to read it.` : `This credential may not read ${repository}: check the path, or ask for pull access.`;
      }
      return e;
    });
    const readOk = list.status === 'pass' || (list.status === 'skip' && repository === null);

    // 9. Delete permission
    if (repository === null) {
      steps.skip('delete-permission', written === null ? 'The images repo names no repository.' : `${written} is an account: there is no single repository to probe.`);
      return report(readOk);
    }
    if (cancelled()) {
      steps.skip('delete-permission', 'Not run: cancelled.');
      return report(readOk);
    }
    const probe = driver.deleteProbe;
    await steps.run('delete-permission', async () => {
      const r = await probe.probe({
        implementation,
        registry,
        repository,
        baseUrl,
        settings,
        credential: cred,
        login: auth.login,
        http,
        auth,
        scheme: auth.scheme ?? s,
        ...(detection.details?.ecr ? { ecr: detection.details.ecr } : {}),
        sdkTimeouts: opts.sdkTimeouts,
        deleteToken,
        repositoryExists,
        ...sig,
        redact: (v) => redactor.add(v),
      });
      const o: Outcome = { status: verdictStatus(r.verdict), detail: r.detail, ...(r.verdict === 'unknown' ? { undetermined: true as const } : {}) };
      if (r.hint !== undefined) o.hint = r.hint;
      if (r.httpStatus !== undefined) o.httpStatus = r.httpStatus;
      if (r.registryError !== undefined) o.registryError = r.registryError;
      return o;
    });
    return report(readOk);
  } finally {
    await http.close();
  }
}
