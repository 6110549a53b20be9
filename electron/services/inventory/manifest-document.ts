import { UserError } from '../../../shared/api/result';
import type { RegistrySettings } from '../../../shared/credentials/types';
import { isValidDigest, isValidRepository, MANIFEST_ACCEPT, normalizeMediaType } from '../../../shared/inventory/classify';
import type { ManifestDocument, ManifestRequest } from '../../../shared/inventory/types';
import { repositoryScope } from '../../../shared/registry/auth-challenge';
import { detectParsed, parseImagesRepo } from '../../../shared/registry/detect';
import type { ResolvedCredential } from '../credentials/types';
import { httpError } from '../registry/errors';
import { RegistryHttp } from '../registry/http';
import type { RegistryAuth } from '../registry/registry-auth';
import { apiHostOf, cancelled, connectRegistry, fatal, settingsFor } from './connect';
import { driverFor } from './drivers';
import { sha256Digest } from './manifest';
import { MANIFEST_MAX_BYTES } from './registry-api';

export interface ManifestDocumentDeps {
  credential: ResolvedCredential | null;
  settings: RegistrySettings | undefined;
  signal: AbortSignal;
}

/**
 * Logs in to the registry of `imagesRepo` exactly as the inventory does (same implementation
 * choice, per-registry settings, credential and timeouts) and runs `use` with that login, closing
 * the connections afterwards: the tag details' fetches (manifest, image config) go through this.
 */
export async function withRegistryLogin<T>(
  req: { imagesRepo: string; implementation: ManifestRequest['implementation'] },
  deps: ManifestDocumentDeps,
  activity: string,
  use: (auth: RegistryAuth) => Promise<T>,
): Promise<T> {
  const parsed = parseImagesRepo(req.imagesRepo);
  if (parsed.registry === '') throw new UserError({ code: 'bad-images-repo', message: `"${req.imagesRepo}" is not a registry address`, hint: 'List the inventory again.' });
  const detection = detectParsed(parsed);
  const implementation = req.implementation === 'auto' ? detection.implementation : req.implementation;
  const apiHost = apiHostOf(driverFor(implementation), parsed.registry);
  const http = new RegistryHttp({
    settings: settingsFor(parsed.registry, apiHost, deps.settings),
    timeouts: { connectMs: 10_000, headersMs: 20_000, bodyMs: 20_000, totalMs: 60_000 },
  });
  try {
    const { auth } = await connectRegistry({ registry: parsed.registry, apiHost, implementation, credential: deps.credential, settings: deps.settings, details: detection.details, http, signal: deps.signal, activity });
    return await use(auth);
  } finally {
    await http.close();
  }
}

/**
 * One manifest by digest, as the registry stores it, for the tag details: fetched with the same
 * login as the inventory, checked against its digest, and pretty-printed.
 */
export async function fetchManifestDocument(req: ManifestRequest, deps: ManifestDocumentDeps): Promise<ManifestDocument> {
  if (!isValidRepository(req.repository) || !isValidDigest(req.digest)) {
    throw new UserError({ code: 'bad-manifest-request', message: `"${req.repository}@${req.digest}" is not a repository and digest`, hint: 'Pick the tag in the inventory again.' });
  }
  return withRegistryLogin(req, deps, 'Fetching the manifest', async (auth) => {
    const res = await auth.request({
      method: 'GET',
      path: `/v2/${req.repository}/manifests/${req.digest}`,
      scopes: [repositoryScope(req.repository, ['pull'])],
      headers: { accept: MANIFEST_ACCEPT },
      maxBytes: MANIFEST_MAX_BYTES,
      signal: deps.signal,
    });
    if (deps.signal.aborted) throw cancelled('Fetching the manifest');
    if (!res.outcome.ok) throw fatal(res.outcome.error, `The manifest ${req.digest} could not be fetched`);
    const r = res.outcome.response;
    if (r.status !== 200) throw fatal(httpError({ method: 'GET', url: r.url, status: r.status, body: r.body, ...(r.headers.get('content-type') ? { contentType: r.headers.get('content-type')! } : {}) }), `The manifest ${req.digest} could not be fetched`);
    const computed = sha256Digest(r.body);
    if (req.digest.startsWith('sha256:') && computed !== req.digest) {
      throw new UserError({ code: 'digest-mismatch', message: `The registry answered bytes whose sha256 is ${computed}, not ${req.digest}; they are not shown`, hint: 'The registry or a proxy in between altered the manifest: check what sits in front of the registry.' });
    }
    const raw = r.text();
    let text = raw;
    try {
      text = JSON.stringify(JSON.parse(raw), null, 2);
    } catch {
      /* shown as sent */
    }
    return { repository: req.repository, digest: req.digest, mediaType: normalizeMediaType(r.headers.get('content-type') ?? null), size: r.body.length, text };
  });
}
