import { ACCEPT_ALL, RegistryClient, type RegistryAuth } from './registry-client';

/**
 * What a registry holds, asked directly (not through Stowage's client), so tests of Stowage's
 * deletes and restores check the registry's state with an independent reader.
 */
export class RegistryFacts {
  readonly client: RegistryClient;

  constructor(registryUrl: string, auth?: RegistryAuth) {
    this.client = new RegistryClient(registryUrl, auth ? { auth } : {});
  }

  /** The digest a tag (or digest) resolves to now; null when the registry answers 404. */
  async digestOf(repository: string, reference: string): Promise<string | null> {
    const res = await this.client.request('HEAD', `/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT_ALL } });
    await res.body?.cancel();
    if (res.status === 404) return null;
    if (res.status !== 200) throw new Error(`HEAD ${repository}:${reference} answered ${res.status}`);
    const digest = res.headers.get('docker-content-digest');
    if (!digest) throw new Error(`HEAD ${repository}:${reference} answered without Docker-Content-Digest`);
    return digest;
  }

  /** The manifest's exact bytes and media type. */
  async manifest(repository: string, reference: string): Promise<{ bytes: Buffer; mediaType: string }> {
    const res = await this.client.request('GET', `/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT_ALL } });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`GET ${repository}:${reference} answered ${res.status}: ${bytes.toString('utf8')}`);
    return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim() };
  }

  /** tags/list, sorted; [] for an unknown repository or a null list. */
  async tags(repository: string): Promise<string[]> {
    const res = await this.client.json<{ tags: string[] | null }>('GET', `/v2/${repository}/tags/list`);
    if (res.status === 404) return [];
    if (res.status !== 200) throw new Error(`tags/list of ${repository} answered ${res.status}`);
    return [...(res.body.tags ?? [])].sort();
  }
}
