import { describe, expect, it } from 'vitest';
import { alignHistory, describeImage, IMAGE_CONFIG_LIMITS, pickPlatform, type ManifestLayer } from './image-config';

const layer = (n: number): ManifestLayer => ({ digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: n * 100, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' });

describe('alignHistory', () => {
  it('gives each non-empty step the next layer and metadata steps none', () => {
    const notes: string[] = [];
    const steps = alignHistory([{ created_by: 'ADD' }, { created_by: 'ENV A=1', empty_layer: true }, { created_by: 'RUN x' }], [layer(1), layer(2)], notes);
    expect(steps.map((s) => s.layer?.size ?? null)).toEqual([100, null, 200]);
    expect(notes).toEqual([]);
  });

  it('says when history and layers disagree, and still lists every layer', () => {
    const fewer: string[] = [];
    const steps = alignHistory([{ created_by: 'ADD' }], [layer(1), layer(2), layer(3)], fewer);
    expect(steps.map((s) => s.layer?.size)).toEqual([100, 200, 300]);
    expect(fewer).toEqual(['2 layers have no history entry.']);
    const more: string[] = [];
    const extra = alignHistory([{ created_by: 'ADD' }, { created_by: 'RUN' }], [layer(1)], more);
    expect(extra[1]!.layer).toBeNull();
    expect(more).toEqual(['The history names 1 more layer than the manifest has.']);
  });

  it('treats a history that is not a list as absent', () => {
    const notes: string[] = [];
    expect(alignHistory('nonsense', [layer(1)], notes)).toHaveLength(1);
    expect(notes).toEqual(['1 layer has no history entry.']);
  });
});

describe('describeImage on hostile configs', () => {
  it('caps lists and strings and says so', () => {
    const env = Array.from({ length: IMAGE_CONFIG_LIMITS.listItems + 5 }, (_, i) => `V${i}=${'x'.repeat(i === 0 ? 10_000 : 1)}`);
    const doc = describeImage({ repository: 'a', digest: 'sha256:1', manifestDigest: 'sha256:1', configDigest: 'sha256:2', configSize: 1, manifest: { layers: 'no' }, config: { config: { Env: env, Cmd: 'not a list', Labels: { b: '2', a: '1', n: 3 } } } });
    expect(doc.env).toHaveLength(IMAGE_CONFIG_LIMITS.listItems);
    expect(doc.env[0]!.length).toBe(IMAGE_CONFIG_LIMITS.stringChars + 1);
    expect(doc.notes).toContain(`Env: the first ${IMAGE_CONFIG_LIMITS.listItems} of ${env.length} shown.`);
    expect(doc.cmd).toBeNull();
    expect(doc.labels).toEqual({ a: '1', b: '2' });
    expect(doc.layerCount).toBe(0);
  });
});

describe('pickPlatform', () => {
  const platforms = [
    { digest: 'sha256:a', mediaType: '', os: 'unknown', architecture: 'unknown' },
    { digest: 'sha256:b', mediaType: '', os: 'linux', architecture: 'arm64' },
  ];
  it('skips attestation children by default and honours a child asked for', () => {
    expect(pickPlatform(platforms, undefined)?.digest).toBe('sha256:b');
    expect(pickPlatform(platforms, 'sha256:a')?.digest).toBe('sha256:a');
    expect(pickPlatform(platforms, 'sha256:zzz')?.digest).toBe('sha256:b');
  });
});
