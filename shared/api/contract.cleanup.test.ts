import { describe, expect, it } from 'vitest';
import { methods } from './contract';

/** What the host lets through to the cleanup plan service (arguments are validated before any handler runs). */
describe('cleanup.inputs arguments', () => {
  const args = methods['cleanup.inputs'].args;
  const base = { imagesRepo: '127.0.0.1:5000/shop', implementation: 'auto', mode: 'auto' } as const;

  it('accepts each Kubernetes source and an ISO time', () => {
    expect(args.safeParse({ ...base, kube: { source: 'off' } }).success).toBe(true);
    expect(args.safeParse({ ...base, kube: { source: 'all' } }).success).toBe(true);
    expect(args.safeParse({ ...base, kube: { source: 'context', context: 'gke_project_europe-west1_prod' }, now: '2026-01-01T00:00:00Z' }).success).toBe(true);
    expect(args.safeParse({ ...base, kube: { source: 'off' }, metadataRepository: 'registry.example.com/app/stages' }).success).toBe(true);
  });

  it('refuses a context that looks like a path, an unknown source, a bad time and unknown keys', () => {
    expect(args.safeParse({ ...base, kube: { source: 'context', context: '../../etc/passwd' } }).success).toBe(false);
    expect(args.safeParse({ ...base, kube: { source: 'context', context: '' } }).success).toBe(false);
    expect(args.safeParse({ ...base, kube: { source: 'some' } }).success).toBe(false);
    expect(args.safeParse({ ...base, kube: { source: 'all', kubeconfig: '/tmp/x' } }).success).toBe(false);
    expect(args.safeParse({ ...base, kube: { source: 'off' }, now: 'yesterday' }).success).toBe(false);
    expect(args.safeParse({ ...base, kube: { source: 'off' }, projectDir: '/elsewhere' }).success).toBe(false);
  });
});
