import { isIP } from 'node:net';

/**
 * `localhost`, 127.0.0.0/8 and ::1 (with or without a port): the registries Docker treats as
 * insecure by default and go-containerregistry (crane, werf) reaches over plain HTTP when https
 * fails. The one place Stowage falls back from https to http without a setting.
 */
export function isLoopbackHost(hostPort: string): boolean {
  let host = hostPort.toLowerCase();
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.split(':').length === 2) host = host.slice(0, host.indexOf(':'));
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) return host === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(host);
  return false;
}

/**
 * Why plain HTTP was used. The check's TLS step passes the https failure (a step shows the
 * technical detail); a listing's warning leaves it out, since it is a TLS library's internals that
 * would fill the views' warning banners.
 */
export function loopbackFallbackNote(apiHost: string, httpsFailure?: string): string {
  const failed = httpsFailure === undefined ? `${apiHost} does not answer https` : `https to ${apiHost} failed (${httpsFailure})`;
  return `${failed}; it is a loopback address, so plain HTTP was used, as Docker and go-containerregistry do: traffic, credentials included, is not encrypted`;
}
