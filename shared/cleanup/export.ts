import type { CleanupPlan } from './types';

/**
 * The plan as the documented JSON document (`stowage cleanup --json`, the app's "Export plan"):
 * the same shape from both, so a reviewed export can be compared with the CLI's output.
 */
export interface PlanDocument {
  repository: string;
  implementation: string;
  policy: CleanupPlan['policy'];
  policyReason: string;
  planId: string;
  now: string;
  tags: {
    repository: string;
    tag: string;
    digest: string | null;
    image?: string | null;
    action: 'keep' | 'delete';
    reasons: { rule: string; text: string }[];
    method?: 'tag' | 'digest';
    protected?: boolean;
  }[];
  summary: { tags: number; delete: number; keep: number; manifestsFreed: number; bytesFreed: number; bytesFreedExact?: boolean };
  warnings: { code: string; message: string; hint?: string }[];
}

export function planDocument(plan: CleanupPlan): PlanDocument {
  return {
    repository: plan.repository,
    implementation: plan.implementation,
    policy: plan.policy,
    policyReason: plan.policyReason,
    planId: plan.planId,
    now: plan.now,
    tags: plan.tags.map((t) => ({
      repository: t.repository,
      tag: t.tag,
      digest: t.digest,
      ...(t.image !== undefined ? { image: t.image } : {}),
      action: t.action,
      reasons: t.reasons.map((r) => ({ rule: r.rule, text: r.text })),
      ...(t.method !== undefined ? { method: t.method } : {}),
      ...(t.protected ? { protected: true } : {}),
    })),
    summary: { ...plan.summary },
    warnings: plan.warnings.map((w) => ({ ...w })),
  };
}

export function planJson(plan: CleanupPlan): string {
  return `${JSON.stringify(planDocument(plan), null, 2)}\n`;
}
