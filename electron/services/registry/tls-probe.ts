import type { LookupFunction } from 'node:net';
import { checkServerIdentity, connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { isIpLiteral } from './http';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  daysLeft: number;
  altNames: string[];
  fingerprint256: string;
  selfSigned: boolean;
}

export type TlsProbeResult =
  | { ok: true; protocol: string; certificate: CertificateSummary; verified: boolean; verifyError?: { code: string; message: string } }
  | { ok: false; stage: 'connect' | 'handshake'; code: string; message: string; certificate?: CertificateSummary };

function dn(part: PeerCertificate['subject'] | undefined): string {
  if (!part) return '(none)';
  const entries = Object.entries(part as unknown as Record<string, string | string[]>);
  const order = ['CN', 'O', 'OU', 'L', 'ST', 'C'];
  entries.sort(([a], [b]) => (order.indexOf(a) + 100) % 100 - (order.indexOf(b) + 100) % 100);
  return entries.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') || '(none)';
}

export function summariseCertificate(cert: PeerCertificate | DetailedPeerCertificate, now = Date.now()): CertificateSummary {
  const validTo = new Date(cert.valid_to);
  const subject = dn(cert.subject);
  const issuer = dn(cert.issuer);
  return {
    subject,
    issuer,
    validFrom: new Date(cert.valid_from).toISOString(),
    validTo: Number.isNaN(validTo.getTime()) ? cert.valid_to : validTo.toISOString(),
    daysLeft: Math.floor((validTo.getTime() - now) / 86_400_000),
    altNames: (cert.subjectaltname ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    fingerprint256: cert.fingerprint256,
    selfSigned: subject === issuer,
  };
}

/**
 * One TLS handshake to show the user what the registry presents: subject, issuer, expiry, and why
 * verification fails. It always completes the handshake (so the certificate can be shown even when
 * it is not trusted) and then judges it with the same CA list the HTTP client uses.
 */
export function probeTls(opts: {
  hostname: string;
  port: number;
  ca?: string[];
  lookup?: LookupFunction;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<TlsProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: TlsProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(r);
    };
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    const socket = connect({
      host,
      port: opts.port,
      ...(isIpLiteral(host) ? {} : { servername: host }),
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    let connected = false;
    socket.once('connect', () => {
      connected = true;
    });
    const timeoutMs = opts.timeoutMs ?? 10_000;
    // One budget for both halves; which half ran out is what the user needs to know.
    const timer = setTimeout(
      () => done({ ok: false, stage: connected ? 'handshake' : 'connect', code: 'ETIMEDOUT', message: connected ? `no TLS handshake within ${timeoutMs} ms` : `no TCP connection within ${timeoutMs} ms` }),
      timeoutMs,
    );
    const onAbort = (): void => done({ ok: false, stage: 'connect', code: 'ABORT_ERR', message: 'cancelled' });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate(false);
      if (!raw || Object.keys(raw).length === 0) {
        done({ ok: false, stage: 'handshake', code: 'NO_CERT', message: 'the server presented no certificate' });
        return;
      }
      const certificate = summariseCertificate(raw);
      const protocol = socket.getProtocol() ?? 'TLS';
      if (!socket.authorized) {
        const reason = socket.authorizationError;
        const code = typeof reason === 'string' ? reason : ((reason as { code?: string } | null)?.code ?? 'UNTRUSTED');
        const message = typeof reason === 'string' ? reason : ((reason as Error | null)?.message ?? 'certificate not trusted');
        done({ ok: true, protocol, certificate, verified: false, verifyError: { code, message } });
        return;
      }
      const identity = checkServerIdentity(host, raw);
      if (identity) {
        done({ ok: true, protocol, certificate, verified: false, verifyError: { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: identity.message } });
        return;
      }
      done({ ok: true, protocol, certificate, verified: true });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'ERROR';
      const handshake = connected || /ssl|tls|wrong version|packet length/i.test(error.message);
      done({ ok: false, stage: handshake ? 'handshake' : 'connect', code: /wrong version number/i.test(error.message) ? 'ERR_SSL_WRONG_VERSION_NUMBER' : code, message: error.message });
    });
  });
}
