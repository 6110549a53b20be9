import { UserError } from '../../../shared/api/result';
import { isValidDigest, isValidRepository, MANIFEST_ACCEPT } from '../../../shared/inventory/classify';
import { describeImage, pickPlatform, platformName, type ImageConfigDocument, type ImageConfigRequest } from '../../../shared/inventory/image-config';
import { repositoryScope } from '../../../shared/registry/auth-challenge';
import { httpError } from '../registry/errors';
import type { RegistryAuth } from '../registry/registry-auth';
import { cancelled, fatal } from './connect';
import { parseManifest, platformsOf, sha256Digest, utf8 } from './manifest';
import { withRegistryLogin, type ManifestDocumentDeps } from './manifest-document';
import { CONFIG_MAX_BYTES, MANIFEST_MAX_BYTES } from './registry-api';

const ACTIVITY = 'Fetching the image config';

/**
 * The image itself for the tag details: the manifest by digest (for an index, the chosen
 * platform's manifest), then its config blob, each checked against its digest and capped in size,
 * with the same login and per-registry settings as the inventory. A blob redirect to storage is
 * followed without the credential (RegistryHttp binds Authorization to the registry's origin).
 */
export async function fetchImageConfig(req: ImageConfigRequest, deps: ManifestDocumentDeps): Promise<ImageConfigDocument> {
  if (!isValidRepository(req.repository) || !isValidDigest(req.digest) || (req.platform !== undefined && !isValidDigest(req.platform))) {
    throw new UserError({ code: 'bad-manifest-request', message: `"${req.repository}@${req.digest}" is not a repository and digest`, hint: 'Pick the tag in the inventory again.' });
  }
  return withRegistryLogin(req, deps, ACTIVITY, async (auth) => {
    const get = (kind: 'manifests' | 'blobs', digest: string, maxBytes: number) => getChecked(auth, req.repository, kind, digest, maxBytes, deps.signal);

    let manifestDigest = req.digest;
    let top = await get('manifests', req.digest, MANIFEST_MAX_BYTES);
    let facts = parseOrThrow(top.body, top.contentType, req.digest);
    let platforms: ImageConfigDocument['platforms'];
    let platform: string | undefined;
    if (facts.kind === 'index') {
      platforms = platformsOf(facts.children ?? [], new Map());
      const chosen = pickPlatform(platforms, req.platform);
      if (!chosen) throw new UserError({ code: 'empty-index', message: `The index ${req.digest} lists no platform manifests`, hint: 'There is no image to show: the index is empty.' });
      platform = chosen.digest;
      manifestDigest = chosen.digest;
      top = await get('manifests', chosen.digest, MANIFEST_MAX_BYTES);
      facts = parseOrThrow(top.body, top.contentType, chosen.digest);
      if (facts.kind === 'index') throw new UserError({ code: 'nested-index', message: `The platform ${platformName(chosen)} of ${req.digest} is itself an index`, hint: 'Stowage shows one level of platforms; open that index by its own tag.' });
    }
    if (!facts.configDigest) throw new UserError({ code: 'no-config', message: `The manifest ${manifestDigest} names no image config (a schema1 or artifact manifest)`, hint: 'Only images built for Docker or OCI have a config to show.' });
    if (facts.configSize !== undefined && facts.configSize > CONFIG_MAX_BYTES) {
      throw new UserError({ code: 'config-too-large', message: `The image config is ${facts.configSize} bytes, over Stowage's ${CONFIG_MAX_BYTES}-byte cap`, hint: 'Inspect it with `crane config` or `docker image inspect` instead.' });
    }
    const blob = await get('blobs', facts.configDigest, CONFIG_MAX_BYTES);
    let config: unknown;
    try {
      config = JSON.parse(utf8(blob.body));
    } catch {
      throw new UserError({ code: 'config-not-json', message: `The config blob ${facts.configDigest} is not JSON (${blob.body.length} bytes)`, hint: 'The manifest points at something that is not an image config (an artifact?).' });
    }
    return describeImage({
      repository: req.repository,
      digest: req.digest,
      manifestDigest,
      configDigest: facts.configDigest,
      manifest: JSON.parse(utf8(top.body)),
      config,
      configSize: blob.body.length,
      ...(platforms ? { platforms } : {}),
      ...(platform ? { platform } : {}),
    });
  });
}

function parseOrThrow(body: Buffer, contentType: string | null, digest: string) {
  const parsed = parseManifest(body, contentType);
  if (!parsed.ok) throw new UserError({ code: 'bad-manifest', message: `The manifest ${digest}: ${parsed.error}`, hint: 'The registry answered something that is not a manifest: check what sits in front of it.' });
  return parsed.value;
}

async function getChecked(auth: RegistryAuth, repository: string, kind: 'manifests' | 'blobs', digest: string, maxBytes: number, signal: AbortSignal): Promise<{ body: Buffer; contentType: string | null }> {
  const what = kind === 'manifests' ? `The manifest ${digest}` : `The config blob ${digest}`;
  const res = await auth.request({
    method: 'GET',
    path: `/v2/${repository}/${kind}/${digest}`,
    scopes: [repositoryScope(repository, ['pull'])],
    ...(kind === 'manifests' ? { headers: { accept: MANIFEST_ACCEPT } } : {}),
    maxBytes,
    signal,
  });
  if (signal.aborted) throw cancelled(ACTIVITY);
  if (!res.outcome.ok) throw fatal(res.outcome.error, `${what} could not be fetched`);
  const r = res.outcome.response;
  const contentType = r.headers.get('content-type') ?? null;
  if (r.status !== 200) throw fatal(httpError({ method: 'GET', url: r.url, status: r.status, body: r.body, ...(contentType ? { contentType } : {}) }), `${what} could not be fetched`);
  if (digest.startsWith('sha256:')) {
    const computed = sha256Digest(r.body);
    if (computed !== digest) throw new UserError({ code: 'digest-mismatch', message: `${what}: the registry answered bytes whose sha256 is ${computed}; they are not shown`, hint: 'The registry or a proxy in between altered the content: check what sits in front of the registry.' });
  }
  return { body: Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body), contentType };
}
