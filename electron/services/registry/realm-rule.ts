import { safeUrl } from './errors';

export interface RealmInput {
  /** host[:port] the user named. */
  registry: string;
  /** Where the Registry API answers (its scheme says whether the registry is plain HTTP by setting). */
  baseUrl: URL;
  /** The token server the registry's challenge names: data from the registry, not from the user. */
  realm: URL;
  /** The driver's answer for this registry: extra hosts allowed, or 'any' for self-hosted kinds. */
  allowedHosts: readonly string[] | 'any';
  /** The user enabled plain HTTP for the realm's host itself. */
  realmPlainHttpAllowed: boolean;
}

export interface RealmRefusal {
  message: string;
  hint: string;
}

function hostname(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * The one rule for every exchange that sends a secret (a password, a refresh token, an AAD token)
 * to the token server a registry's challenge names: the realm is on the registry's own host (or
 * the API host it uses), or on a host the driver allowlists for this registry, and it is https
 * unless the registry itself is plain HTTP by the user's setting (or the realm's host is). Null
 * when the exchange may go ahead.
 */
export function realmRefusal(input: RealmInput): RealmRefusal | null {
  const { realm, baseUrl, registry } = input;
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
    return { message: `${registry} names a token server that is not an http(s) URL (${realm.protocol}); no credential was sent to it`, hint: 'Fix the registry\'s token realm.' };
  }
  if (realm.protocol === 'http:' && baseUrl.protocol === 'https:' && !input.realmPlainHttpAllowed) {
    return {
      message: `${registry} names a plain-HTTP token server (${safeUrl(realm)}); credentials were not sent to it`,
      hint: `Sending a password unencrypted is refused. Fix the registry's token realm to use HTTPS, or, only on a network you trust, enable plain HTTP for ${realm.host} in Stowage's registry settings.`,
    };
  }
  if (input.allowedHosts === 'any') return null;
  const realmHost = hostname(realm.host);
  if (realmHost === hostname(registry) || realmHost === hostname(baseUrl.host) || input.allowedHosts.includes(realmHost)) return null;
  return {
    message: `${registry} names a token server on another host (${realm.host}); credentials were not sent to it`,
    hint: `This registry's token server is on its own host${input.allowedHosts.length > 0 ? ` or ${input.allowedHosts.join(', ')}` : ''}: check the address, and that nothing between you and ${registry} rewrites its answers.`,
  };
}
