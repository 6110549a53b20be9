import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { RegistryHttpError } from '../registry/errors';
import { appErrorFrom, recordedManifest, statusCoded, tagByTag } from './mutations-toolkit';
import type { RestoreEntry, TagDeleteResult } from './types';

const denied: RegistryHttpError = { kind: 'http', status: 403, registryCode: 'DENIED', message: 'DELETE … → 403', hint: 'grant delete', retryAfterSeconds: 7 };

describe('mutation toolkit', () => {
  test('one AppError per failure, with the code convention the driver asks for', () => {
    expect(appErrorFrom(denied)).toEqual({ code: 'DENIED', message: 'DELETE … → 403', hint: 'grant delete', details: { status: 403, registryCode: 'DENIED', retryAfterSeconds: 7 } });
    expect(statusCoded.appErrorFrom(denied).code).toBe('http-403');
    expect(appErrorFrom({ kind: 'aborted', message: 'cancelled', hint: 'again' }, { call: 'PUT /v2/a/manifests/t' })).toEqual({ code: 'cancelled', message: 'PUT /v2/a/manifests/t: cancelled', hint: 'again' });
    expect(appErrorFrom({ kind: 'timeout', message: 'no answer', hint: 'retry' }).code).toBe('timeout');
  });

  test('a recorded manifest is sent only when its bytes hash to the digest and its media type is known', () => {
    const bytes = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const entry: RestoreEntry = { repository: 'team/app', tag: 't', digest, mediaType: null, manifest: bytes.toString('base64'), method: 'DELETE' };
    expect(recordedManifest(entry)).toMatchObject({ ok: true, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    expect(recordedManifest({ ...entry, manifest: null })).toMatchObject({ ok: false, reason: 'no-manifest' });
    expect(recordedManifest({ ...entry, manifest: Buffer.from('{}').toString('base64') })).toMatchObject({ ok: false, reason: 'manifest-mismatch', error: { code: 'manifest-mismatch' } });
    const bare = Buffer.from('{"schemaVersion":2}');
    expect(recordedManifest({ ...entry, digest: `sha256:${createHash('sha256').update(bare).digest('hex')}`, manifest: bare.toString('base64') })).toMatchObject({ ok: false, reason: 'no-media-type' });
  });

  test('tag by tag: a rate-limit refusal stops the group, the rest fail with it and are never sent', async () => {
    const sent: string[] = [];
    const limited = { code: 'rate-limited', message: '429', hint: 'later' };
    const { results, stopped } = await tagByTag({ signal: new AbortController().signal }, ['a', 'b', 'c'], async (tag): Promise<TagDeleteResult> => {
      sent.push(tag);
      return tag === 'b' ? { tag, outcome: 'failed', method: 'DELETE', error: limited } : { tag, outcome: 'untagged', method: 'DELETE' };
    });
    expect(sent).toEqual(['a', 'b']);
    expect(results.map((r) => [r.tag, r.outcome, r.error?.code])).toEqual([['a', 'untagged', undefined], ['b', 'failed', 'rate-limited'], ['c', 'failed', 'rate-limited']]);
    expect(stopped).toBe(limited);
  });
});
