import { lookup as dnsLookup } from 'node:dns/promises';
import { plainHttpUrl, registryAuthAt } from '../../inventory/connect';
import { classifyError, safeUrl, tlsHint } from '../errors';
import { isIpLiteral } from '../http';
import { isLoopbackHost, loopbackFallbackNote } from '../loopback';
import type { AuthScheme } from '../registry-auth';
import { probeTls } from '../tls-probe';
import type { CheckState, CheckStepDef, Outcome } from './state';
import { fromError } from './state';

async function systemResolve(host: string): Promise<string[]> {
  const all = await dnsLookup(host, { all: true });
  return all.map((a) => a.address);
}

/** 1. DNS: the API host's addresses (an IP literal needs none). */
export const resolveStep: CheckStepDef = {
  name: 'resolve',
  async run(state) {
    const { hostname } = state;
    if (isIpLiteral(hostname)) return { status: 'pass', detail: `${hostname} is an IP address: nothing to resolve` };
    try {
      const addresses = await (state.resolveHost ?? systemResolve)(hostname);
      if (addresses.length === 0) return { status: 'fail', detail: `${hostname} resolves to no address`, hint: `Check the DNS record of ${hostname}.` };
      const shown = addresses.slice(0, 4).join(', ') + (addresses.length > 4 ? `, … (${addresses.length} in all)` : '');
      return { status: 'pass', detail: `${hostname} → ${shown}` };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const c = typeof code === 'string' ? code : 'ENOTFOUND';
      const e = classifyError({ code: c, message: `lookup ${hostname}` }, { method: 'LOOKUP', url: state.baseUrl });
      return { status: 'fail', detail: `${hostname} does not resolve (${c})`, hint: e.hint };
    }
  },
  stopAfter: (o, state) => (o.status === 'fail' ? `Not run: ${state.hostname} does not resolve.` : null),
};

/**
 * A loopback registry that does not speak https is reached over plain HTTP, as Docker
 * (127.0.0.0/8 is insecure by default) and go-containerregistry do; never another host.
 * On success the state moves to the plain-HTTP URL.
 */
async function loopbackPlainHttp(state: CheckState, httpsFailure: string): Promise<Outcome | null> {
  if (!isLoopbackHost(state.apiHost)) return null;
  const plainUrl = plainHttpUrl(state.apiHost);
  const answer = await state.http.request({ method: 'GET', url: new URL('/v2/', plainUrl), retry: false, maxBytes: 64 * 1024, ...(state.signal ? { signal: state.signal } : {}) });
  if (!answer.ok) return null;
  state.baseUrl = plainUrl;
  state.auth = registryAuthAt(state.http, state.implementation, state.registry, plainUrl, (v) => state.redactor.add(v));
  return {
    status: 'warn',
    detail: loopbackFallbackNote(state.apiHost, httpsFailure),
    hint: `Serve ${state.apiHost} with TLS, or turn on plain HTTP for it in Registry access (the CLI: --insecure-registry) to say it is meant.`,
  };
}

const connectTitle = (apiHost: string): string => `Connect to ${apiHost}`;
const handshakeTitle = (apiHost: string): string => `TLS handshake with ${apiHost}`;
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * TCP worked and the server then said nothing to the TLS hello. Not a plain-HTTP registry (one
 * answers the hello at once with an error or a 400), so the loopback fallback is not tried: it
 * would only wait as long again.
 */
function handshakeTimedOut(apiHost: string, timeoutMs: number): Outcome {
  return {
    status: 'fail',
    title: handshakeTitle(apiHost),
    detail: `The TCP connection to ${apiHost} worked, but the TLS handshake did not finish within the ${seconds(timeoutMs)} given to connecting: the server accepted the connection and never answered the TLS hello.`,
    hint:
      `Something on ${apiHost} takes connections but does not speak TLS to Stowage: check the port (is it the registry's HTTPS port?), ` +
      'whether a TLS-intercepting proxy or firewall is holding the connection (set HTTPS_PROXY, or ask for the registry to be let through), ' +
      'and, if the registry serves plain HTTP, turn on plain HTTP for it in Registry access (only on a network you trust).',
  };
}

/** 2. TLS: the handshake, the certificate and how it is trusted. */
export const tlsStep: CheckStepDef = {
  name: 'tls',
  async run(state) {
    const { settings, apiHost, http } = state;
    if (settings?.plainHttp === true) {
      return { status: 'skip', detail: `Plain HTTP is enabled for ${state.registry}: no TLS, so traffic (credentials included) is not encrypted` };
    }
    const opt = await http.tlsOptionsFor(apiHost);
    if (!opt.ok) return fromError(opt.error);
    const trust = settings?.insecureSkipVerify ? 'verification skipped for this registry (setting)' : settings?.caFile ? `trusted through the CA file ${settings.caFile}` : 'trusted through the system CAs';
    const lookup = http.lookupFunction();
    const r = await probeTls({
      hostname: state.hostname,
      port: state.port ?? 443,
      ...(opt.options.ca ? { ca: opt.options.ca } : {}),
      ...(lookup ? { lookup } : {}),
      timeoutMs: state.connectTimeoutMs,
      ...(state.signal ? { signal: state.signal } : {}),
    });
    if (!r.ok) {
      if (r.stage === 'handshake' && r.code === 'ETIMEDOUT') return handshakeTimedOut(apiHost, state.connectTimeoutMs);
      const failed = r.stage === 'connect' ? `Connecting to ${apiHost} failed: ${r.message}` : `TLS handshake with ${apiHost} failed: ${r.message} (${r.code})`;
      const plain = await loopbackPlainHttp(state, r.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? 'it does not speak TLS on this port' : (r.message.split('\n')[0] ?? r.code));
      if (plain) return plain;
      if (r.stage === 'connect') {
        // No TLS was spoken: the step failed before the handshake, and says so in its title.
        const e = classifyError(Object.assign(new Error(r.message), { code: r.code }), { method: 'CONNECT', url: state.baseUrl });
        return { status: 'fail', title: connectTitle(apiHost), detail: failed, hint: e.hint };
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
  },
  stopAfter: (o, state) => {
    if (o.status !== 'fail') return null;
    // A refused or timed-out connection never reached TLS: say what really stopped the check.
    if (o.title === connectTitle(state.apiHost)) return `Not run: no connection to ${state.apiHost}.`;
    if (o.title === handshakeTitle(state.apiHost)) return `Not run: no TLS connection to ${state.apiHost}.`;
    return 'Not run: no trusted TLS connection.';
  },
};

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

/** 3. `GET /v2/`: is it a registry, and how does it want to be authenticated. */
export const pingStep: CheckStepDef = {
  name: 'ping',
  async run(state) {
    const p = await state.auth.ping(state.signal);
    if (!p.ok) return fromError(p.error);
    const scheme = p.value.scheme;
    state.scheme = scheme;
    const o: Outcome = {
      status: scheme.kind === 'unknown' ? 'warn' : 'pass',
      detail: `GET ${safeUrl(new URL('/v2/', state.baseUrl))} → ${p.value.status}; ${describeScheme(scheme)}${p.value.apiVersion ? `; ${p.value.apiVersion}` : ''}`,
      httpStatus: p.value.status,
    };
    if (scheme.kind === 'unknown') o.hint = 'The registry asks for authentication in a way Stowage cannot answer; check that the address points at a container registry.';
    return o;
  },
  stopAfter: (o, state) => (o.status === 'fail' || state.scheme === null ? 'Not run: the registry API did not answer.' : null),
};
