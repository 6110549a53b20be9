import { randomBytes } from 'node:crypto';
import type { AppError } from '../../../../shared/api/result';
import { MANIFEST_ACCEPT, MEDIA_TYPES } from '../../../../shared/inventory/classify';
import type { DriverContext } from '../../inventory/types';
import type { HttpOutcome } from '../../registry/http';
import type { TagDeleteResult } from '../types';
import { digestOf, registryCode } from '../mutations-toolkit';
import { answerError, deleteManifest, headBlob, isDeleteDisabled, putManifest, transportError, uploadBlob } from './registry-calls';
import { runState, type RunState, type UntagVerdict } from './run-state';

/**
 * Removing one tag while its manifest stays (the digest's other tags are kept).
 *
 * distribution 3.x and OCI 1.1 registries untag with `DELETE /v2/<name>/manifests/<tag>`. 2.x
 * cannot (400 DIGEST_INVALID), so the tag is first pointed at a placeholder manifest made for this
 * one call — its digest is shared by nothing — and that placeholder is then deleted by digest,
 * which takes the tag with it. Which way works is learnt from the registry's first answer and kept
 * for the run (the context is the run).
 */

export const TAG_DELETE_CALL = 'DELETE /v2/<name>/manifests/<tag>';
export const PLACEHOLDER_CALL = 'PUT /v2/<name>/manifests/<tag> (placeholder), DELETE /v2/<name>/manifests/<placeholder digest>';

/** The OCI 1.1 empty descriptor's content: the placeholder's config. */
const EMPTY_JSON = new Uint8Array([0x7b, 0x7d]);
const EMPTY_DIGEST = digestOf(EMPTY_JSON);
export const PLACEHOLDER_ANNOTATION = 'org.stowage.untag-placeholder';

function failed(tag: string, method: string, error: AppError): TagDeleteResult {
  return { tag, outcome: 'failed', method, error };
}

const disabledError = (ctx: DriverContext, repository: string): AppError => ({
  code: 'delete-disabled',
  message: `${ctx.registry} has deletes switched off (405 UNSUPPORTED), so ${repository} was not changed.`,
  hint: 'Deletes are disabled on the registry: set storage.delete.enabled: true in its config (REGISTRY_STORAGE_DELETE_ENABLED=true) and restart it.',
});

/** Removes `tag` from `digest`, keeping the manifest. */
export async function untag(ctx: DriverContext, repository: string, tag: string, digest: string): Promise<TagDeleteResult> {
  const state = runState(ctx);
  while (state.untag === null) {
    if (state.learning) {
      await state.learning;
      continue;
    }
    let done!: () => void;
    state.learning = new Promise<void>((resolve) => (done = resolve));
    try {
      const learnt = await learnWithTagDelete(ctx, state, repository, tag);
      if (learnt.verdict) state.untag = learnt.verdict;
      if (learnt.result) return learnt.result;
    } finally {
      state.learning = null;
      done();
    }
  }
  switch (state.untag) {
    case 'disabled':
      return failed(tag, TAG_DELETE_CALL, disabledError(ctx, repository));
    case 'tag-delete':
      return tagDelete(ctx, state, repository, tag);
    case 'placeholder':
      return viaPlaceholder(ctx, state, repository, tag, digest);
  }
}

/**
 * Tries the tag DELETE on a real tag of the plan: on a registry that can, that is the untag
 * itself. A 400/405 says it cannot; the all-zero digest DELETE then tells "deletes disabled"
 * (405) from "deletes work, only not by tag" (404). One of each per run.
 */
async function learnWithTagDelete(ctx: DriverContext, state: RunState, repository: string, tag: string): Promise<{ verdict?: UntagVerdict; result?: TagDeleteResult }> {
  const out = await state.phases(repository).run('delete', () => deleteManifest(ctx, repository, tag));
  if (!out.ok) return { result: failed(tag, TAG_DELETE_CALL, transportError(out.error, `DELETE /v2/${repository}/manifests/${tag}`)) };
  const res = out.response;
  if (res.status === 202 || res.status === 200) return { verdict: 'tag-delete', result: { tag, outcome: 'untagged', method: TAG_DELETE_CALL } };
  // A registry that cannot delete by tag never looks the tag up; a 404 here means it could, and the tag is gone.
  if (res.status === 404) return { verdict: 'tag-delete', result: { tag, outcome: 'already-gone', method: TAG_DELETE_CALL, detail: `${repository}:${tag} no longer exists` } };
  const code = registryCode(res);
  const cannotByTag = res.status === 400 && (code === 'DIGEST_INVALID' || code === 'TAG_INVALID' || code === 'UNSUPPORTED' || code === 'MANIFEST_INVALID');
  if (cannotByTag || res.status === 405 || code === 'UNSUPPORTED') {
    // Before the placeholder method moves any tag, make sure the registry will let the
    // placeholder go again: a registry with deletes off would keep the tag on it.
    const zero = await state.phases(repository).run('delete', () => deleteManifest(ctx, repository, `sha256:${'0'.repeat(64)}`));
    if (!zero.ok) return { result: failed(tag, TAG_DELETE_CALL, transportError(zero.error, `DELETE /v2/${repository}/manifests/sha256:000…0`)) };
    if (isDeleteDisabled(zero.response)) return { verdict: 'disabled' };
    if (zero.response.status === 404) return { verdict: 'placeholder' };
    return { result: failed(tag, TAG_DELETE_CALL, answerError(zero.response, `DELETE /v2/${repository}/manifests/sha256:000…0`)) };
  }
  return { result: failed(tag, TAG_DELETE_CALL, answerError(res, `DELETE /v2/${repository}/manifests/${tag}`)) };
}

async function tagDelete(ctx: DriverContext, state: RunState, repository: string, tag: string): Promise<TagDeleteResult> {
  const what = `DELETE /v2/${repository}/manifests/${tag}`;
  const out = await state.phases(repository).run('delete', () => deleteManifest(ctx, repository, tag));
  if (!out.ok) return failed(tag, TAG_DELETE_CALL, transportError(out.error, what));
  const res = out.response;
  if (res.status === 202 || res.status === 200) return { tag, outcome: 'untagged', method: TAG_DELETE_CALL };
  if (res.status === 404) return { tag, outcome: 'already-gone', method: TAG_DELETE_CALL, detail: `${repository}:${tag} no longer exists` };
  return failed(tag, TAG_DELETE_CALL, answerError(res, what));
}

/** The placeholder's config blob, uploaded once per repository and run (2 bytes, shared by every placeholder). */
function ensureEmptyBlob(ctx: DriverContext, state: RunState, repository: string): Promise<AppError | null> {
  let p = state.emptyBlob.get(repository);
  if (!p) {
    p = (async (): Promise<AppError | null> => {
      const head = await headBlob(ctx, repository, EMPTY_DIGEST);
      if (head.ok && head.response.status === 200) return null;
      const up = await uploadBlob(ctx, repository, EMPTY_JSON);
      return up.ok ? null : up.error;
    })();
    state.emptyBlob.set(repository, p);
    // A failed upload is tried again by the next tag rather than failing the whole run.
    void p.then((e) => {
      if (e) state.emptyBlob.delete(repository);
    });
  }
  return p;
}

/** A minimal OCI image manifest no other call can produce: its annotation carries 128 random bits. */
export function placeholderManifest(repository: string, tag: string): Uint8Array {
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_DIGEST, size: EMPTY_JSON.length },
    layers: [],
    annotations: { [PLACEHOLDER_ANNOTATION]: `${repository}:${tag} ${randomBytes(16).toString('hex')}` },
  };
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** Attempts at deleting our own placeholder: safe to repeat, since nothing else ever points at it. */
const PLACEHOLDER_DELETE_ATTEMPTS = 4;

async function viaPlaceholder(ctx: DriverContext, state: RunState, repository: string, tag: string, digest: string): Promise<TagDeleteResult> {
  const blobError = await ensureEmptyBlob(ctx, state, repository);
  if (blobError) return failed(tag, PLACEHOLDER_CALL, { ...blobError, message: `The placeholder for untagging ${repository}:${tag} could not be prepared: ${blobError.message}`, hint: `${blobError.hint ?? ''} Nothing was changed for this tag.`.trim() });

  const bytes = placeholderManifest(repository, tag);
  const placeholder = digestOf(bytes);
  const putWhat = `PUT /v2/${repository}/manifests/${tag} (placeholder)`;
  const phases = state.phases(repository);
  const putPlaceholder = () => phases.run('put', () => putManifest(ctx, repository, tag, bytes, MEDIA_TYPES.ociManifest));
  const put = await putPlaceholder();
  if (!put.ok) {
    // No answer: the PUT may or may not have landed. Ask where the tag points now.
    const now = await resolveTag(ctx, repository, tag);
    if (now !== placeholder) {
      const where = now === digest ? 'the tag still points at its digest' : now === null ? 'the tag could not be resolved' : `the tag now points at ${now}`;
      return failed(tag, PLACEHOLDER_CALL, { ...transportError(put.error, putWhat), message: `${putWhat}: ${put.error.message}; ${where}` });
    }
  } else if (put.response.status !== 201 && put.response.status !== 200) {
    return failed(tag, PLACEHOLDER_CALL, answerError(put.response, putWhat));
  }

  const delWhat = `DELETE /v2/${repository}/manifests/${placeholder} (placeholder of ${tag})`;
  let last: HttpOutcome | null = null;
  for (let attempt = 1; attempt <= PLACEHOLDER_DELETE_ATTEMPTS && !ctx.signal.aborted; attempt++) {
    if (attempt > 1) {
      // A failed delete may have removed the placeholder and left the tag dangling on it (2.x
      // answers 500 then): putting the same bytes back under the tag makes the next delete whole.
      await pause(ctx.signal, 200 * 2 ** (attempt - 2));
      const again = await putPlaceholder();
      if (!again.ok || (again.response.status !== 201 && again.response.status !== 200)) continue;
    }
    last = await phases.run('delete', () => deleteManifest(ctx, repository, placeholder));
    if (last.ok) {
      const s = last.response.status;
      if (s === 202 || s === 200 || s === 404) return { tag, outcome: 'untagged', method: PLACEHOLDER_CALL, detail: `the tag was moved to the placeholder ${placeholder}, which was then deleted` };
      if (s !== 429 && s < 500) break;
    }
  }
  const cause = last === null ? { code: 'cancelled', message: `${delWhat}: cancelled` } : last.ok ? answerError(last.response, delWhat) : transportError(last.error, delWhat);
  return failed(tag, PLACEHOLDER_CALL, {
    ...cause,
    message: `${cause.message}. ${repository}:${tag} no longer points at ${digest}, but at the placeholder ${placeholder}, which is still there.`,
    hint: `Delete the placeholder with DELETE /v2/${repository}/manifests/${placeholder} (it holds no image), or restore the tag from this run's audit log.`,
  });
}

function pause(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The digest a tag points at now, or null when that cannot be told. */
async function resolveTag(ctx: DriverContext, repository: string, tag: string): Promise<string | null> {
  const out = await ctx.registryRequest({ method: 'HEAD', repository, path: `/v2/${repository}/manifests/${tag}`, headers: { accept: MANIFEST_ACCEPT } });
  if (!out.ok || out.response.status !== 200) return null;
  return out.response.headers.get('docker-content-digest') ?? null;
}
