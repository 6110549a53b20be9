import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ECR_DEFAULT_KEYS, startEcrEmulator, type EcrEmulator } from '../../../../e2e/emulators/ecr';
import { awsCredential, basicCredential } from '../../registry/testing/credentials';
import { startLocalServer } from '../../registry/testing/local-server';
import { createEcrDriver, ecrDriver } from './listing';
import { collect, eventTypesCancellingAtFirst, lastEvent, testRun, type TestRun } from '../../inventory/drivers/testing';

const [FULL, , READ] = ECR_DEFAULT_KEYS as [(typeof ECR_DEFAULT_KEYS)[number], (typeof ECR_DEFAULT_KEYS)[number], (typeof ECR_DEFAULT_KEYS)[number]];

describe('ecr driver against the ECR emulator (AWS SDK)', () => {
  let ecr: EcrEmulator;
  const start = Date.UTC(2024, 0, 1);
  beforeAll(async () => {
    ecr = await startEcrEmulator({ repositories: ['team/big', 'team/small', 'team/locked'] });
    for (let i = 0; i < 2500; i++) {
      ecr.state.registry.addImage('team/big', { tags: [`t${String(i).padStart(4, '0')}`], size: 10_000 + i, pushedAt: new Date(start + i * 1000), ...(i % 2 === 0 ? { lastPulledAt: new Date(start + 86_400_000) } : {}) });
    }
    for (let i = 0; i < 30; i++) ecr.state.registry.addImage('team/big', { tags: [] });
    ecr.state.registry.addImage('team/small', { tags: ['v1', 'latest'], mediaType: 'application/vnd.oci.image.index.v1+json', size: 4242 });
  });
  afterAll(() => ecr?.stop());

  const settings = () => ({ registry: ecr.host, plainHttp: true, sdkEndpoint: ecr.url });
  const run = (key = READ) => testRun({ registry: ecr.host, implementation: 'ecr', credential: awsCredential(ecr.host, key.accessKeyId, key.secretAccessKey), settings: settings() });
  const describeImages = () => ecr.requests().filter((q) => q.headers['x-amz-target']?.endsWith('.DescribeImages'));

  test('2500 tagged images over 3 DescribeImages pages (maxResults 1000, nextToken); untagged filtered by ECR', async () => {
    const r = await run();
    try {
      const before = describeImages().length;
      const { tags, pages, events } = await collect(ecrDriver, r, 'team/big');
      expect(lastEvent(events)?.type).toBe('tags');
      expect(pages).toBe(3);
      expect(tags).toHaveLength(2500);
      expect(describeImages().length - before).toBe(3);
      const t2 = tags.find((t) => t.tag === 't0002');
      expect(t2).toEqual({
        tag: 't0002',
        digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        size: 10_002,
        pushed: new Date(start + 2000).toISOString(),
        pulled: new Date(start + 86_400_000).toISOString(),
      });
      expect(tags.find((t) => t.tag === 't0003')?.pulled).toBeUndefined();
      // The host is not an ECR name, so the account came from one DescribeRepositories (per run).
      expect(ecr.requests().filter((q) => q.headers['x-amz-target']?.endsWith('.DescribeRepositories'))).toHaveLength(1);
      await collect(ecrDriver, r, 'team/small');
      expect(ecr.requests().filter((q) => q.headers['x-amz-target']?.endsWith('.DescribeRepositories'))).toHaveLength(1);
    } finally {
      await r.close();
    }
  });

  test('the real ECR host name: account and region from it, registryId sent (a wrong account is refused by ECR)', async () => {
    const port = ecr.host.split(':')[1];
    const host = `123456789012.dkr.ecr.us-east-1.amazonaws.com:${port}`;
    const resolveHost = async () => ['127.0.0.1'];
    const r = await testRun({ registry: host, implementation: 'ecr', credential: awsCredential(host, READ.accessKeyId, READ.secretAccessKey), settings: { registry: host, plainHttp: true, sdkEndpoint: ecr.url }, resolveHost });
    try {
      const { tags } = await collect(ecrDriver, r, 'team/small');
      expect(tags.map((t) => t.tag).sort()).toEqual(['latest', 'v1']);
      expect(tags[0]).toMatchObject({ mediaType: 'application/vnd.oci.image.index.v1+json', size: 4242 });
    } finally {
      await r.close();
    }
    const other = `999999999999.dkr.ecr.us-east-1.amazonaws.com:${port}`;
    const r2 = await testRun({ registry: other, implementation: 'ecr', credential: awsCredential(other, READ.accessKeyId, READ.secretAccessKey), settings: { registry: other, plainHttp: true, sdkEndpoint: ecr.url }, resolveHost });
    try {
      const last = lastEvent((await collect(ecrDriver, r2, 'team/small')).events);
      expect(last?.type).toBe('missing');
      if (last?.type === 'missing') expect(last.message).toContain("registry with id '999999999999'");
    } finally {
      await r2.close();
    }
  });

  test('ThrottlingException is retried with bounded backoff: every 2nd call throttled still lists; always throttled fails with a hint', async () => {
    const fast = createEcrDriver({ retryBaseMs: 1 });
    ecr.state.listingCalls = 0;
    ecr.state.rateLimit = { every: 2 };
    const r = await run();
    try {
      const { tags } = await collect(fast, r, 'team/big');
      expect(tags).toHaveLength(2500);
    } finally {
      ecr.state.rateLimit = null;
      await r.close();
    }
    ecr.state.rateLimit = { every: 1 };
    const r2 = await run();
    try {
      const before = describeImages().length;
      const last = lastEvent((await collect(fast, r2, 'team/small')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { code: 'ThrottlingException' } });
      if (last?.type === 'failed') expect(last.failure.hint).toContain('throttling');
      // 4 attempts, then it gives up.
      expect(describeImages().length - before).toBe(4);
    } finally {
      ecr.state.rateLimit = null;
      await r2.close();
    }
  });

  test('cancellation during a throttling backoff ends at once, without sleeping it out', async () => {
    const slow = createEcrDriver({ retryBaseMs: 60_000 });
    ecr.state.rateLimit = { every: 1 };
    const r = await run();
    try {
      const t0 = Date.now();
      setTimeout(() => r.controller.abort(), 200);
      const last = lastEvent((await collect(slow, r, 'team/small')).events);
      expect(last?.type).toBe('failed');
      if (last?.type === 'failed') expect(last.failure.message).toContain('cancelled');
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      ecr.state.rateLimit = null;
      await r.close();
    }
  });

  test('AccessDeniedException with the missing IAM action; unknown repository is missing', async () => {
    const noList = { accessKeyId: 'AKIANOLIST0000000001', secretAccessKey: 'nolist-secret', user: 'pusher', actions: ['GetAuthorizationToken' as const, 'DescribeRepositories' as const] };
    ecr.state.keys.set(noList.accessKeyId, noList);
    const r = await run(noList as typeof READ);
    try {
      const last = lastEvent((await collect(ecrDriver, r, 'team/small')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { code: 'AccessDeniedException', status: 400 } });
      if (last?.type === 'failed') {
        expect(last.failure.message).toContain('ecr:DescribeImages');
        expect(last.failure.hint).toContain('AmazonEC2ContainerRegistryReadOnly');
      }
    } finally {
      await r.close();
    }
    const r2 = await run(FULL);
    try {
      expect(lastEvent((await collect(ecrDriver, r2, 'team/none')).events)?.type).toBe('missing');
    } finally {
      await r2.close();
    }
  });

  test('a non-AWS credential never reaches the ECR API: Registry API listing with a warning', async () => {
    const r = await testRun({ registry: ecr.host, implementation: 'ecr', credential: basicCredential(ecr.host, 'AWS', 'not-a-real-password'), settings: settings() });
    try {
      const before = ecr.requests().filter((q) => q.path === '/').length;
      await collect(ecrDriver, r, 'team/small');
      expect(ecr.requests().filter((q) => q.path === '/').length).toBe(before);
      expect(r.warnings[0]).toContain('needs AWS credentials');
    } finally {
      await r.close();
    }
  });

  /** The same run with the ECR API endpoint swapped (the login already went through the emulator). */
  const withSdkEndpoint = (r: TestRun, sdkEndpoint: string): TestRun => ({ ...r, ctx: { ...r.ctx, settings: { ...settings(), sdkEndpoint } } });

  test('an SDK endpoint that accepts the connection and never answers: a request timeout with a hint, retried once, not a hang', async () => {
    const silent = await startLocalServer(() => undefined); // accepts, never answers
    const driver = createEcrDriver({ retryBaseMs: 1, timeouts: { connectionTimeoutMs: 10_000, requestTimeoutMs: 300 } });
    const r = await run();
    try {
      const t0 = Date.now();
      const last = lastEvent((await collect(driver, withSdkEndpoint(r, silent.url), 'team/small')).events);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(last).toMatchObject({ type: 'failed', failure: { code: 'TimeoutError' } });
      if (last?.type === 'failed') {
        expect(last.failure.message).toContain(`DescribeRepositories in us-east-1 via ${silent.url}`);
        expect(last.failure.message).toContain('did not answer within 0.3 s (request timeout)');
        expect(last.failure.hint).toContain('SDK endpoint');
      }
      // A timed-out call is tried twice at most, so retries cannot stretch a hang into minutes.
      expect(silent.connections).toBe(2);
    } finally {
      await r.close();
      await silent.close();
    }
  }, 15_000);

  test('cancelling while the SDK endpoint never answers ends the call at once', async () => {
    const silent = await startLocalServer(() => undefined); // accepts, never answers
    const r = await run();
    try {
      const t0 = Date.now();
      setTimeout(() => r.controller.abort(), 200);
      const last = lastEvent((await collect(ecrDriver, withSdkEndpoint(r, silent.url), 'team/small')).events);
      expect(last?.type).toBe('failed');
      if (last?.type === 'failed') expect(last.failure.message).toContain('cancelled');
      expect(Date.now() - t0).toBeLessThan(3_000);
    } finally {
      await r.close();
      await silent.close();
    }
  }, 15_000);

  test('cancellation between pages: no further DescribeImages', async () => {
    const r = await run();
    try {
      const before = describeImages().length;
      expect(await eventTypesCancellingAtFirst(ecrDriver, r, 'team/big')).toEqual(['tags', 'failed']);
      expect(describeImages().length - before).toBe(1);
    } finally {
      await r.close();
    }
  });
});
