import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../api/types';
import { dockerfileInstructions, lineOfParseError, lineOfStep } from './dockerfile-lines';
import { isTransientPushError, readBuildMessage, readPushMessage } from './engine-stream';
import { werfPublishLabels } from './labels';
import { planPublish } from './plan';

const at = { file: 'werf.yaml', line: 1, column: 1 };
const df = (name: string | null, extra: Partial<ImageSummary> = {}): ImageSummary => ({
  name, kind: 'dockerfile', dependsOn: [], final: true, source: at, fields: {}, dockerfile: 'Dockerfile', build: { dockerfilePath: 'Dockerfile', contextPath: '.' }, ...extra,
});
const stapel = (name: string, extra: Partial<ImageSummary> = {}): ImageSummary => ({ name, kind: 'stapel', dependsOn: [], final: true, source: at, fields: {}, from: 'alpine', ...extra });

describe('planPublish', () => {
  const base = { imagesRepo: 'registry.example.com/shop', implementation: 'auto' as const, mode: 'multirepo' as const, tags: [{ strategy: 'custom' as const, raw: 'v1' }] };

  it('orders dependencies first and keeps the preview names', () => {
    const plan = planPublish([df('web', { dependsOn: ['base'] }), df('base'), df('other')], base);
    expect(plan.blocked).toBe(false);
    expect(plan.order.map((p) => p.name)).toEqual(['base', 'web', 'other']);
    expect(plan.order.map((p) => p.tags.map((t) => t.reference))).toEqual([
      ['registry.example.com/shop/base:v1'], ['registry.example.com/shop/web:v1'], ['registry.example.com/shop/other:v1'],
    ]);
  });

  it('builds what a selected image needs, and only that', () => {
    const plan = planPublish([df('web', { dependsOn: ['base'] }), df('base'), df('other')], { ...base, images: ['web'] });
    expect(plan.order.map((p) => [p.name, p.selected])).toEqual([['base', false], ['web', true]]);
  });

  it('skips Stapel images and artifacts with the werf command, and what depends on them', () => {
    const plan = planPublish([stapel('app'), { ...stapel('art'), kind: 'artifact', final: false }, df('web', { dependsOn: ['app'] })], { ...base, images: ['app', 'web'] });
    expect(plan.order.find((p) => p.name === 'app')!.skipped).toMatch(/werf build/);
    expect(plan.order.find((p) => p.name === 'web')!.skipped).toMatch(/needs "app"/);
    expect(plan.problems.some((p) => p.code === 'publish-nothing-to-build')).toBe(true);
  });

  it('is blocked by an invalid name of an image it publishes, not by one of an image it leaves out', () => {
    const images = [df('Web'), df('api')];
    expect(planPublish(images, base).blocked).toBe(true);
    expect(planPublish(images, { ...base, images: ['api'] }).blocked).toBe(false);
  });

  it('is blocked by a bad tag value and by an unknown image', () => {
    expect(planPublish([df('api')], { ...base, tags: [{ strategy: 'custom', raw: 'bad tag' }] }).blocked).toBe(true);
    expect(planPublish([df('api')], { ...base, images: ['nope'] }).problems.map((p) => p.code)).toContain('publish-unknown-image');
  });

  it('names the nameless image as the preview does', () => {
    const plan = planPublish([df(null)], base);
    expect(plan.order[0]!.tags.map((t) => t.reference)).toEqual(['registry.example.com/shop:v1']);
  });
});

describe('werf labels', () => {
  it('are the five werf sets on a published tag', () => {
    expect(werfPublishLabels('api', 'git-branch', 'main')).toEqual({ 'werf-image': 'true', 'werf-image-name': 'api', 'werf-tag-strategy': 'git-branch', 'werf-image-tag': 'main', 'werf-image-version': '1' });
    expect(werfPublishLabels(null, 'custom', 'v1')['werf-image-name']).toBe('');
  });
});

describe('Dockerfile lines', () => {
  it('numbers instructions like the classic builder, over continuations, comments and directives', () => {
    const text = '# escape=`\n# comment\nARG X=1\nFROM scratch AS a\n\nRUN echo `\n  # inside\n  more\nCOPY a /a\nFROM a\nLABEL k=v\n';
    const ins = dockerfileInstructions(text);
    expect(ins.map((i) => [i.keyword, i.line])).toEqual([['ARG', 3], ['FROM', 4], ['RUN', 6], ['COPY', 9], ['FROM', 10], ['LABEL', 11]]);
    expect(lineOfStep(ins, 4)).toBe(9);
    expect(lineOfStep(ins, 9)).toBeNull();
  });

  it('reads the line of a parse error', () => {
    expect(lineOfParseError('dockerfile parse error line 7: unknown instruction: FOO')).toBe(7);
    expect(lineOfParseError('COPY failed: file not found')).toBeNull();
  });
});

describe('engine messages', () => {
  it('build steps, logs, the image id and errors', () => {
    expect(readBuildMessage({ stream: 'Step 2/5 : COPY a /a\n' })).toEqual([{ kind: 'step', step: 2, total: 5, instruction: 'COPY a /a' }, { kind: 'log', line: 'Step 2/5 : COPY a /a' }]);
    expect(readBuildMessage({ aux: { ID: 'sha256:abc' } })).toEqual([{ kind: 'image', id: 'sha256:abc' }]);
    expect(readBuildMessage({ error: 'boom', errorDetail: { message: 'boom!' } })).toEqual([{ kind: 'error', message: 'boom!' }]);
  });

  it('push layers, the digest line and errors', () => {
    expect(readPushMessage({ status: 'Pushing', id: '0123456789ab', progressDetail: { current: 5, total: 10 } })).toEqual({ kind: 'layer', layer: '0123456789ab', status: 'Pushing', current: 5, total: 10 });
    expect(readPushMessage({ status: `v1: digest: sha256:${'a'.repeat(64)} size: 528` })).toEqual({ kind: 'digest', digest: `sha256:${'a'.repeat(64)}`, size: 528 });
    expect(readPushMessage({ errorDetail: { message: 'denied: requested access to the resource is denied' } })).toEqual({ kind: 'error', message: 'denied: requested access to the resource is denied' });
  });

  it('retries what is transient, never a refusal', () => {
    expect(isTransientPushError('received unexpected HTTP status: 503 Service Unavailable')).toBe(true);
    expect(isTransientPushError('read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer')).toBe(true);
    expect(isTransientPushError('unauthorized: authentication required')).toBe(false);
    expect(isTransientPushError('denied: requested access to the resource is denied')).toBe(false);
  });
});
