/**
 * Transport and HTTP failures as data. Every message is safe to show and log: URLs lose their
 * user-info and query string (presigned storage URLs carry signatures there), and nothing from a
 * request's headers or body is ever copied in.
 */

export type RegistryHttpErrorKind = 'dns' | 'connect' | 'tls' | 'timeout' | 'http' | 'too-large' | 'aborted';

export interface RegistryHttpError {
  kind: RegistryHttpErrorKind;
  status?: number;
  /** `errors[0].code` of an OCI/distribution error body (e.g. `NAME_UNKNOWN`). */
  registryCode?: string;
  /** The registry's own words, trimmed. */
  registryMessage?: string;
  message: string;
  /** What to do about it. */
  hint: string;
  /** Where it happened (scheme, host and path only). */
  url?: string;
  /** Seconds the server asked us to wait (429/503). */
  retryAfterSeconds?: number;
}

const MAX_REGISTRY_MESSAGE = 400;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** scheme://host[:port]/path: no user-info, query or fragment. */
export function safeUrl(url: URL | string): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export function hostOf(url: URL | string): string {
  try {
    return (typeof url === 'string' ? new URL(url) : url).host;
  } catch {
    return String(url);
  }
}

function clean(text: string): string {
  const t = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return t.length > MAX_REGISTRY_MESSAGE ? `${t.slice(0, MAX_REGISTRY_MESSAGE)}…` : t;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * Reads what a registry or a vendor API said in an error body: the OCI shape
 * `{"errors":[{code,message,detail}]}`, and the shapes of Docker Hub, GitHub, GitLab, Quay and
 * OAuth servers (`message`, `detail`, `error`/`error_description`). Plain text is used as is.
 */
export function parseErrorBody(body: Uint8Array | string, contentType?: string): { code?: string; message?: string } {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Only short plain-text bodies are worth quoting; HTML error pages are not.
    if ((contentType ?? '').includes('html') || /^\s*</.test(text)) return {};
    return { message: clean(text) };
  }
  const root = asRecord(parsed);
  if (!root) return {};
  const errors = Array.isArray(root.errors) ? root.errors : null;
  if (errors && errors.length > 0) {
    const first = asRecord(errors[0]);
    if (first) {
      const code = str(first.code);
      const message = str(first.message);
      const detail = typeof first.detail === 'string' ? first.detail : undefined;
      const out: { code?: string; message?: string } = {};
      if (code !== undefined) out.code = code;
      const m = message ?? detail;
      if (m !== undefined) out.message = clean(m);
      return out;
    }
    const s = str(errors[0]);
    if (s !== undefined) return { message: clean(s) };
  }
  const message = str(root.message) ?? str(root.detail) ?? str(root.error_description) ?? str(root.error) ?? str(root.error_message);
  const code = str(root.code) ?? (str(root.error_description) !== undefined ? str(root.error) : undefined);
  const out: { code?: string; message?: string } = {};
  if (code !== undefined && code !== message) out.code = code;
  if (message !== undefined) out.message = clean(message);
  return out;
}

function statusHint(status: number, host: string, code: string | undefined, message: string | undefined): string {
  if (status === 400 && message !== undefined && /http request to an https server/i.test(message)) {
    return `${host} expects HTTPS on this port: turn off plain HTTP for this registry.`;
  }
  if (code === 'NAME_UNKNOWN') return 'The repository does not exist (yet): check its path, or push to it first.';
  if (code === 'MANIFEST_UNKNOWN') return 'No such manifest: the tag or digest does not exist in this repository.';
  if (code === 'UNSUPPORTED' || status === 405) {
    return `${host} does not allow this operation; for deletes, the registry must run with deletes enabled (distribution: storage.delete.enabled: true).`;
  }
  switch (status) {
    case 401:
      return `${host} did not accept the credentials: check the user name and password (or token) saved for ${host}.`;
    case 403:
      return `The credentials for ${host} are valid but not allowed to do this: ask for a role or token scope that allows it.`;
    case 404:
      return 'Not found: check the address.';
    case 429:
      return `${host} is rate-limiting requests: wait and try again; logging in usually raises the limit.`;
    default:
      if (status >= 500) return `${host} failed on its side (HTTP ${status}): try again later, or check the registry's logs.`;
      return `Unexpected HTTP ${status} from ${host}.`;
  }
}

export function httpError(opts: {
  method: string;
  url: URL | string;
  status: number;
  body?: Uint8Array | string;
  contentType?: string;
  retryAfterSeconds?: number;
  hint?: string;
  what?: string;
}): RegistryHttpError {
  const parsed = opts.body !== undefined ? parseErrorBody(opts.body, opts.contentType) : {};
  const host = hostOf(opts.url);
  const said = [parsed.code, parsed.message].filter((s): s is string => s !== undefined).join(': ');
  const err: RegistryHttpError = {
    kind: 'http',
    status: opts.status,
    message: `${opts.what ?? `${opts.method} ${safeUrl(opts.url)}`} → HTTP ${opts.status}${said ? ` (${said})` : ''}`,
    hint: opts.hint ?? statusHint(opts.status, host, parsed.code, parsed.message),
    url: safeUrl(opts.url),
  };
  if (parsed.code !== undefined) err.registryCode = parsed.code;
  if (parsed.message !== undefined) err.registryMessage = parsed.message;
  if (opts.retryAfterSeconds !== undefined) err.retryAfterSeconds = opts.retryAfterSeconds;
  return err;
}

const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);

/** A fix for a TLS verification failure, by OpenSSL/Node error code. Shared with the TLS probe. */
export function tlsHint(code: string | undefined, host: string, detail?: string): string {
  if (code !== undefined && UNKNOWN_CA.has(code)) {
    return `Unknown CA: the certificate of ${host} is not signed by a CA this machine trusts → set this registry's CA file (a PEM of the CA that signed it) or, only if you trust the network, skip verification for this registry.`;
  }
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return `The certificate of ${host} has expired${detail ? ` (${detail})` : ''}: renew it on the registry, and check this machine's clock.`;
    case 'CERT_NOT_YET_VALID':
      return `The certificate of ${host} is not valid yet: check this machine's clock.`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `The certificate of ${host} was issued for other names${detail ? ` (${detail})` : ''}: use a host name the certificate lists, or reissue it with ${host.replace(/:\d+$/, '')} in its subject alternative names.`;
    case 'CERT_REVOKED':
      return `The certificate of ${host} has been revoked: the registry needs a new one.`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'EPROTO':
      return `${host} does not speak TLS on this port: if the registry serves plain HTTP, enable plain HTTP for this registry (only on a network you trust).`;
    case 'CA_FILE':
      return `The CA file set for ${host} cannot be read${detail ? ` (${detail})` : ''}: fix the path in this registry's settings.`;
    default:
      return `The TLS handshake with ${host} failed${code ? ` (${code})` : ''}: check the registry's certificate, or set this registry's CA file.`;
  }
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  name?: unknown;
  reason?: unknown;
}

function errorChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let e: unknown = error;
  for (let i = 0; i < 5 && typeof e === 'object' && e !== null; i++) {
    chain.push(e as ErrorLike);
    e = (e as ErrorLike).cause;
  }
  return chain;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA']);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

/** Turns whatever undici, node:net or node:tls threw into a RegistryHttpError. */
export function classifyError(error: unknown, ctx: { method: string; url: URL | string }): RegistryHttpError {
  const host = hostOf(ctx.url);
  const where = `${ctx.method} ${safeUrl(ctx.url)}`;
  const chain = errorChain(error);
  const codes = chain.map((e) => (typeof e.code === 'string' ? e.code : undefined)).filter((c): c is string => c !== undefined);
  const messages = chain.map((e) => (typeof e.message === 'string' ? e.message : '')).filter((m) => m !== '');
  const first = messages[0] ?? String(error);
  const url = safeUrl(ctx.url);

  const dns = codes.find((c) => DNS_CODES.has(c));
  if (dns) {
    return {
      kind: 'dns',
      message: `${where}: the host name ${host.replace(/:\d+$/, '')} does not resolve (${dns})`,
      hint:
        dns === 'EAI_AGAIN'
          ? 'DNS did not answer in time: check the network or VPN, then try again.'
          : `Check the spelling of ${host}, and the DNS, VPN or /etc/hosts entry this machine needs to find it.`,
      url,
    };
  }
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) {
    return {
      kind: 'timeout',
      message: `${where}: connecting to ${host} timed out`,
      hint: `Nothing answered on ${host}: check the port, a firewall, or whether a proxy is needed.`,
      url,
    };
  }
  if (codes.includes('UND_ERR_HEADERS_TIMEOUT') || codes.includes('UND_ERR_BODY_TIMEOUT')) {
    return {
      kind: 'timeout',
      message: `${where}: ${host} accepted the connection but did not ${codes.includes('UND_ERR_BODY_TIMEOUT') ? 'finish sending the response' : 'answer'} in time`,
      hint: `${host} is slow or stuck: try again later, or check the registry's health.`,
      url,
    };
  }
  const tlsCode = codes.find(
    (c) => UNKNOWN_CA.has(c) || c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_') || c.startsWith('CERT_') || c === 'EPROTO' || c === 'CA_FILE',
  );
  const tlsMessage = messages.find((m) => /wrong version number|packet length too long|certificate|ssl|tls/i.test(m));
  if (tlsCode !== undefined || (tlsMessage !== undefined && !codes.some((c) => CONNECT_CODES.has(c)))) {
    const code = tlsCode ?? (tlsMessage && /wrong version number|packet length/i.test(tlsMessage) ? 'ERR_SSL_WRONG_VERSION_NUMBER' : undefined);
    return {
      kind: 'tls',
      message: `${where}: TLS failed: ${tlsMessage ?? first}${code && !(tlsMessage ?? first).includes(code) ? ` (${code})` : ''}`,
      hint: tlsHint(code, host),
      url,
    };
  }
  const connect = codes.find((c) => CONNECT_CODES.has(c));
  if (connect) {
    const hint =
      connect === 'ECONNREFUSED'
        ? `Nothing listens on ${host}: check the port and that the registry is running.`
        : connect === 'EHOSTUNREACH' || connect === 'ENETUNREACH'
          ? `${host} cannot be reached from this machine: check the network, VPN or proxy.`
          : `${host} closed the connection: a proxy or load balancer may be in the way, or the port speaks another protocol.`;
    return { kind: 'connect', message: `${where}: ${connect === 'ECONNREFUSED' ? 'connection refused' : first} (${connect})`, hint, url };
  }
  return { kind: 'connect', message: `${where}: ${first}`, hint: `The request to ${host} failed before any answer: check the network.`, url };
}
