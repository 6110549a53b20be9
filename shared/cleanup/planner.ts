import { validateKeepPolicies } from './keep-policies';
import { canonicalJson, planIdSource, sha256OfText } from './plan-id';
import { builtAtMs, HOUR_MS, type PolicyContext, type PolicyResult, type Verdict } from './policy-context';
import { normalizeRegistryHost, normalizeRepository } from './reference';
import { runRules, validateRules } from './rules';
import type { CleanupPlan, CleanupPolicyName, CleanupTag, PlanInput, PlanOutcome, PlannedTag, PlanReason, PlanSummary, PlanWarning, PolicyConfig, PolicyError } from './types';
import { runWerfGitHistory } from './werf-git-history';
import { runWerfTagStrategy } from './werf-tag-strategy';

/**
 * The cleanup planner: inventory + git + werf metadata + cluster usage + a policy → a decision with
 * reasons for every tag. Pure and deterministic for a given input (time comes only from
 * `input.now`), so the renderer can recompute it as the user edits and the executor can check
 * that it runs exactly the plan that was reviewed (the plan id).
 *
 * Safety is enforced here, after the policy, whatever the policy said:
 *  - unreadable, pending and werf service rows are kept;
 *  - images built recently, used in a cluster, or kept by the user are kept;
 *  - a signature follows its subject: kept while the subject's digest stays, deleted with it;
 *  - a digest that stays (a kept tag, or a child of a kept index) is never deleted: a stale tag on
 *    it is removed alone where the registry can do that (`tag` method), else kept.
 */
export function planCleanup(input: PlanInput): PlanOutcome {
  const nowMs = Date.parse(input.now);
  if (Number.isNaN(nowMs)) return fail({ code: 'bad-now', message: `"${input.now}" is not an ISO-8601 time.` });

  const tags = sortTags(input.tags);
  const chosen = choosePolicy(input, tags);
  if (chosen.config) {
    const bad = validatePolicy(chosen.config);
    if (bad) return fail(bad);
  }

  const switches = input.switches ?? {};
  const builtAt = builtTimes(tags);
  const ctx: PolicyContext = { nowMs, tags, builtAt, git: input.git ?? null, werfMetadata: input.werfMetadata ?? null };
  const warnings: PlanWarning[] = [];
  let result: PolicyResult = { verdicts: new Array(tags.length).fill(undefined), warnings: [] };
  const disabledBy = switches.disable
    ? 'werf.yaml sets cleanup.disable'
    : switches.disableGitHistoryBasedPolicy && chosen.name === 'werf-git-history'
      ? 'werf.yaml sets cleanup.disableGitHistoryBasedPolicy'
      : null;
  if (chosen.config && disabledBy === null) {
    try {
      result = runPolicy(chosen.config, ctx);
    } catch (e) {
      return fail({ code: 'policy-failed', message: e instanceof Error ? e.message : String(e) });
    }
  }
  warnings.push(...result.warnings);

  const n = tags.length;
  const keep: boolean[] = new Array(n).fill(true);
  const reasons: PlanReason[][] = Array.from({ length: n }, () => []);
  const prot: boolean[] = new Array(n).fill(false);
  const isSignature = (t: CleanupTag): boolean => t.kind === 'signature' || t.signatureOf !== undefined;

  // Readable tags per repository@digest: the whole repository, never a filtered view.
  const { keyOf, byDigest } = digestIndex(tags);

  const overrides = new Set((input.overrides ?? []).map((o) => `${o.repository}\0${o.tag}`));
  // Building a key string per tag costs more than the rest of the row when nobody overrode anything.
  const isOverridden = (t: CleanupTag): boolean => overrides.size > 0 && overrides.has(`${t.repository}\0${t.tag}`);
  const recentHours = switches.disableBuiltWithinLastNHoursPolicy ? null : (switches.keepImagesBuiltWithinLastNHours ?? 2);
  const kube = switches.disableKubernetesBasedPolicy ? null : (input.kube ?? null);
  const kubeIndex = kube ? indexKube(kube.uses) : null;
  const registryHost = normalizeRegistryHost(input.registryHost);
  const unreachable = kube?.unreachable ?? [];

  for (let i = 0; i < n; i++) {
    const t = tags[i]!;
    const r = reasons[i]!;
    const protect = (reason: PlanReason): void => {
      r.unshift(reason);
      prot[i] = true;
    };
    if (t.pending) {
      protect({ rule: 'pending', text: 'The inventory had not inspected this tag yet; it is never deleted unseen.' });
      continue;
    }
    if (t.error || t.digest === null) {
      protect({ rule: 'unreadable', text: `The registry could not describe this tag${t.error ? ` (${t.error})` : ''}; it is kept.` });
      continue;
    }
    if (t.kind === 'werf-service' || t.service !== undefined) {
      protect({ rule: 'service-tag', text: `werf's own bookkeeping tag (${t.service ?? 'service'}); werf needs it, so it is never a stale image.` });
      continue;
    }
    if (isSignature(t)) {
      const subject = t.signatureOf;
      // Its subject must be an image or index tagged here; signatures of signatures alone decide nothing.
      const subjectTags = subject === undefined ? undefined : byDigest.get(dkey(t.repository, subject));
      const usedAt = kubeIndex ? kubeUse(kubeIndex, registryHost, t) : undefined;
      if (isOverridden(t)) {
        protect({ rule: 'override', text: 'You chose to keep this tag.' });
      } else if (usedAt !== undefined) {
        protect({ rule: 'kube-used', text: `Used in Kubernetes: ${usedAt}.` });
      } else if (!subjectTags || !subjectTags.some((j) => !isSignature(tags[j]!))) {
        protect({ rule: 'signature-orphan', text: 'A signature, attestation or SBOM whose subject is not tagged in this repository; kept because its subject cannot be judged.' });
      } else keep[i] = false; // decided with its subject below
      continue;
    }
    const v: Verdict | undefined = result.verdicts[i];
    if (disabledBy !== null) {
      r.push({ rule: 'cleanup-disabled', text: `Cleanup is switched off: ${disabledBy}.` });
      continue;
    }
    if (!v) {
      r.push(chosen.config ? { rule: 'not-werf', text: 'The chosen policy does not cover this tag.' } : { rule: 'no-policy', text: chosen.reason });
      continue;
    }
    r.push(v.reason);
    if (v.action === 'keep') continue;

    if (isOverridden(t)) {
      protect({ rule: 'override', text: 'You chose to keep this tag.' });
      continue;
    }
    const built = builtAt[i]!;
    if (recentHours !== null && !Number.isNaN(built) && built > nowMs - recentHours * HOUR_MS) {
      protect({ rule: 'built-recently', text: `Built within the last ${recentHours} hours (keepImagesBuiltWithinLastNHours).` });
      continue;
    }
    if (kubeIndex) {
      const where = kubeUse(kubeIndex, registryHost, t);
      if (where !== undefined) {
        protect({ rule: 'kube-used', text: `Used in Kubernetes: ${where}.` });
        continue;
      }
      if (unreachable.length > 0) {
        const names = unreachable.map((u) => u.context).join(', ');
        if (!kube!.proceedWithoutUnreachable) {
          protect({ rule: 'kube-unreachable', text: `Kubernetes context ${names} could not be checked, so a running workload might use it.` });
          continue;
        }
        r.push({ rule: 'kube-unreachable', text: `Not checked against Kubernetes context ${names} (unreachable); you chose to plan without it.` });
      }
    }
    keep[i] = false;
  }

  // Digests that stay, to a fixpoint: keeping a signature keeps its digest, which may keep others.
  // Value: the kept tag's index, or -(index + 1) when the digest is a child of that kept index.
  const keptDigests = new Map<string, number>();
  const capability = input.capability;
  const markKept = (i: number): void => {
    const t = tags[i]!;
    const key = keyOf[i];
    if (key === null || key === undefined) return;
    if (!keptDigests.has(key)) keptDigests.set(key, i);
    if (t.platforms) {
      for (const child of t.platforms) {
        const ck = dkey(t.repository, child.digest);
        if (!keptDigests.has(ck)) keptDigests.set(ck, -(i + 1));
      }
    }
  };
  const describeKept = (v: number): string => (v >= 0 ? `kept tag ${tags[v]!.tag}` : `the kept index ${tags[-v - 1]!.tag}`);
  for (let i = 0; i < n; i++) if (keep[i]) markKept(i);
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < n; i++) {
      if (keep[i]) continue;
      const t = tags[i]!;
      if (isSignature(t)) {
        const subject = keptDigests.get(dkey(t.repository, t.signatureOf!));
        if (subject !== undefined) {
          keep[i] = true;
          prot[i] = true;
          reasons[i]!.unshift({ rule: 'signature-of-kept', text: `Signs or describes ${short(t.signatureOf!)}, which stays (${describeKept(subject)}).` });
          markKept(i);
          changed = true;
          continue;
        }
      }
      const own = keptDigests.get(keyOf[i]!);
      if (own !== undefined && !capability.tagDelete) {
        keep[i] = true;
        prot[i] = true;
        reasons[i]!.unshift(
          own < 0
            ? { rule: 'child-of-kept-index', text: `Its manifest is part of ${describeKept(own)}, and this registry cannot remove a tag without deleting its manifest.` }
            : { rule: 'shared-digest-kept', text: `Its digest is shared with ${describeKept(own)}, and this registry cannot remove a tag without deleting the digest (and every tag on it).` },
        );
        markKept(i);
        changed = true;
      }
    }
  }

  const planned: PlannedTag[] = [];
  for (let i = 0; i < n; i++) {
    const t = tags[i]!;
    const out: PlannedTag = { repository: t.repository, tag: t.tag, digest: t.digest, action: 'keep', reasons: reasons[i]! };
    if (t.image !== undefined) out.image = t.image;
    if (!keep[i]) {
      if (isSignature(t)) reasons[i]!.unshift({ rule: 'signature-with-subject', text: `Its subject ${short(t.signatureOf!)} is deleted, so it goes with it.` });
      const own = keptDigests.get(keyOf[i]!);
      if (own !== undefined) {
        out.action = 'delete';
        out.method = 'tag';
        reasons[i]!.push({ rule: 'shared-digest-tag-delete', text: `Its digest stays for ${describeKept(own)}: only this tag is removed, never the digest.` });
      } else if (capability.digestDelete || capability.tagDelete) {
        out.action = 'delete';
        out.method = capability.digestDelete ? 'digest' : 'tag';
      } else {
        prot[i] = true;
        reasons[i]!.unshift({ rule: 'delete-unsupported', text: 'This registry offers no way to delete a tag or a manifest, so nothing can be removed.' });
      }
    }
    if (prot[i]) out.protected = true;
    planned.push(out);
  }

  warnings.push(...contextWarnings(input, chosen.name, nowMs, kube !== null, switches.disableKubernetesBasedPolicy === true));
  const summary = summarize(tags, planned, input);
  if (summary.bytesFreedExact === false && summary.delete > 0) {
    warnings.push({ code: 'bytes-estimated', message: 'Freed bytes are estimated from image sizes: the layers of some manifests were not read, so layers shared with kept images may be counted.' });
  }

  const planId = sha256OfText(planIdSource(input, tags, planned, chosen.config ?? 'none'));

  const plan: CleanupPlan = {
    repository: input.repository,
    implementation: input.implementation,
    policy: chosen.name,
    policyReason: chosen.reason,
    planId,
    now: new Date(nowMs).toISOString(),
    tags: planned,
    summary,
    warnings,
  };
  return { ok: true, plan };
}

const builtCache = new WeakMap<readonly CleanupTag[], Float64Array>();

function builtTimes(tags: readonly CleanupTag[]): Float64Array {
  let b = builtCache.get(tags);
  if (!b) {
    b = Float64Array.from(tags, builtAtMs);
    builtCache.set(tags, b);
  }
  return b;
}

interface DigestIndex {
  /** repository\0digest of every tag (null when unreadable), built once so map lookups reuse hashed strings. */
  keyOf: (string | null)[];
  /** Readable tags per repository\0digest. */
  byDigest: Map<string, number[]>;
}

/** Per sorted tag list: re-planning the same inventory with another policy must not rebuild 20,000 keys. */
const digestCache = new WeakMap<readonly CleanupTag[], DigestIndex>();

function digestIndex(tags: readonly CleanupTag[]): DigestIndex {
  const hit = digestCache.get(tags);
  if (hit) return hit;
  const keyOf: (string | null)[] = tags.map((t) => (t.digest === null ? null : dkey(t.repository, t.digest)));
  const byDigest = new Map<string, number[]>();
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i]!;
    if (t.digest === null || t.error || t.pending) continue;
    const key = keyOf[i]!;
    const list = byDigest.get(key);
    if (list) list.push(i);
    else byDigest.set(key, [i]);
  }
  const index = { keyOf, byDigest };
  digestCache.set(tags, index);
  return index;
}

function fail(error: PolicyError): PlanOutcome {
  return { ok: false, error };
}

function dkey(repository: string, digest: string): string {
  return `${repository}\0${digest}`;
}

function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

function cmpOverride(a: { repository: string; tag: string }, b: { repository: string; tag: string }): number {
  return a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
}

/** By repository then tag, so the plan (and its id) do not depend on listing order. Duplicates keep their first row. */
/** Sorted once per tag list: re-planning the same inventory with another policy reuses it (and its fingerprint). */
const sortedCache = new WeakMap<readonly CleanupTag[], CleanupTag[]>();

function sortTags(tags: readonly CleanupTag[]): CleanupTag[] {
  const hit = sortedCache.get(tags);
  if (hit) return hit;
  const out = sortTagsUncached(tags);
  sortedCache.set(tags, out);
  return out;
}

function sortTagsUncached(tags: readonly CleanupTag[]): CleanupTag[] {
  // Rows with the same name (a registry never lists two) are ordered by content, so which one is
  // kept does not depend on listing order either.
  const sorted = [...tags].sort((a, b) => cmpOverride(a, b) || cmpText(canonicalJson(a), canonicalJson(b)));
  const out: CleanupTag[] = [];
  for (const t of sorted) {
    const last = out[out.length - 1];
    if (last && last.repository === t.repository && last.tag === t.tag) continue;
    out.push(t);
  }
  return out;
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface ChosenPolicy {
  name: CleanupPolicyName | 'none';
  config: PolicyConfig | null;
  reason: string;
}

/** werf metadata → git history; werf-tag-strategy labels → that policy; otherwise nothing is deleted. */
export function choosePolicy(input: PlanInput, tags: readonly CleanupTag[] = input.tags): ChosenPolicy {
  if (input.policy !== 'auto') {
    return { name: input.policy.policy, config: input.policy, reason: input.policyReason ?? 'Chosen by you.' };
  }
  const records = input.werfMetadata?.records.length ?? 0;
  if (records > 0) {
    const formats = input.werfMetadata!.formats.join(', ') || 'werf metadata';
    return {
      name: 'werf-git-history',
      config: { policy: 'werf-git-history', keepPolicies: null },
      reason: `The repository holds werf's commit metadata (${records} record${records === 1 ? '' : 's'}, ${formats}), so werf's git-history policy applies.`,
    };
  }
  const labelled = tags.filter((t) => t.labels?.['werf-tag-strategy'] !== undefined).length;
  if (labelled > 0) {
    return {
      name: 'werf-tag-strategy',
      config: { policy: 'werf-tag-strategy' },
      reason: `${labelled} tag${labelled === 1 ? ' carries' : 's carry'} werf v1.1's werf-tag-strategy label and there is no commit metadata, so werf's tag-strategy policy applies.`,
    };
  }
  return { name: 'none', config: null, reason: 'Neither werf commit metadata nor werf-tag-strategy labels were found: nothing is deleted until you choose rules.' };
}

function validatePolicy(p: PolicyConfig): PolicyError | null {
  if (p.policy === 'werf-git-history') return p.keepPolicies ? validateKeepPolicies(p.keepPolicies) : null;
  if (p.policy === 'rules') return validateRules(p);
  for (const key of ['gitBranch', 'gitTag', 'gitCommit'] as const) {
    const l = p[key];
    for (const [name, v] of Object.entries(l ?? {})) {
      if (v !== undefined && (!Number.isInteger(v) || v < -1)) return { code: 'strategy-bad-limit', message: `${key}.${name}: a whole number of -1 (no limit) or more expected, got ${String(v)}` };
    }
  }
  return null;
}

function runPolicy(p: PolicyConfig, ctx: PolicyContext): PolicyResult {
  switch (p.policy) {
    case 'werf-git-history':
      return runWerfGitHistory(p, ctx);
    case 'werf-tag-strategy':
      return runWerfTagStrategy(p, ctx);
    case 'rules':
      return runRules(p, ctx);
  }
}

function kubeUse(index: Map<string, string>, registryHost: string, t: CleanupTag): string | undefined {
  const base = `${registryHost}\0${normalizeRepository(registryHost, t.repository)}`;
  return index.get(`${base}\0t\0${t.tag}`) ?? (t.digest !== null ? index.get(`${base}\0d\0${t.digest}`) : undefined);
}

/** registry\0repository\0t|d\0tag-or-digest → where it is used. */
function indexKube(uses: NonNullable<PlanInput['kube']>['uses']): Map<string, string> {
  const m = new Map<string, string>();
  for (const u of uses) {
    const base = `${normalizeRegistryHost(u.registry)}\0${normalizeRepository(u.registry, u.repository)}`;
    if (u.tag !== undefined && !m.has(`${base}\0t\0${u.tag}`)) m.set(`${base}\0t\0${u.tag}`, u.where);
    if (u.digest !== undefined && !m.has(`${base}\0d\0${u.digest}`)) m.set(`${base}\0d\0${u.digest}`, u.where);
  }
  return m;
}

const STALE_FETCH_MS = 24 * HOUR_MS;

function contextWarnings(input: PlanInput, policy: CleanupPolicyName | 'none', nowMs: number, kubeOn: boolean, kubeDisabled: boolean): PlanWarning[] {
  const out: PlanWarning[] = [];
  const git = input.git;
  const usesGit = policy === 'werf-git-history' || policy === 'werf-tag-strategy';
  if (usesGit && !git) {
    out.push({ code: 'git-unavailable', message: 'No git repository was read: werf tags that depend on git are all kept.', hint: 'Open the project folder that holds the .git directory.' });
  }
  if (usesGit && git) {
    if (git.shallow) {
      out.push({
        code: 'git-shallow',
        message: 'The repository is a shallow clone: history walks stop at its boundary, so tags that cannot be reached are kept instead of deleted.',
        hint: 'Run `git fetch --unshallow origin` (werf refuses shallow clones unless --allow-git-shallow-clone is given).',
      });
    }
    if (!git.hasOrigin) {
      out.push({ code: 'git-no-origin', message: 'The repository has no remote named origin: werf reads only origin\'s branches, so branch-based tags are kept.', hint: 'Add the origin remote and fetch it.' });
    } else if (git.lastFetch === undefined || Date.parse(git.lastFetch) < nowMs - STALE_FETCH_MS) {
      out.push({
        code: 'git-stale-fetch',
        message: git.lastFetch === undefined ? 'The repository was never fetched from origin here: its branches and tags may be out of date.' : `origin was last fetched ${git.lastFetch}: branches deleted or created since then are not seen.`,
        hint: 'Run `git fetch --prune --tags origin` first (what werf\'s --git-history-synchronization does).',
      });
    }
  }
  if (kubeDisabled) out.push({ code: 'kube-disabled', message: 'werf.yaml sets cleanup.disableKubernetesBasedPolicy: images running in clusters are not protected.' });
  else if (!kubeOn) out.push({ code: 'kube-off', message: 'Kubernetes was not checked: images running in clusters are not protected by this plan.', hint: 'Plan with a kubeconfig context to protect them.' });
  for (const u of input.kube?.unreachable ?? []) {
    out.push({
      code: 'kube-unreachable',
      message: `Kubernetes context ${u.context} could not be read: ${u.reason}`,
      hint: input.kube?.proceedWithoutUnreachable ? 'Every tag planned for deletion says it was not checked there.' : 'Tags that would be deleted are kept until the context can be read or you choose to plan without it.',
    });
  }
  const pending = input.tags.filter((t) => t.pending).length;
  if (pending > 0) out.push({ code: 'inventory-pending', message: `${pending} tag${pending === 1 ? ' was' : 's were'} not inspected yet and are kept.`, hint: 'Plan again when the inventory has finished.' });
  return out;
}

const NO_CHILDREN: string[] = [];

interface DigestFacts {
  size: number | null;
  /** repository\0digest of an index's children. */
  children: string[];
}

/** Size and children per digest (from its first tag), per tag list: they do not depend on the decisions. */
const digestFactsCache = new WeakMap<readonly CleanupTag[], Map<string, DigestFacts>>();

function digestFacts(tags: readonly CleanupTag[]): Map<string, DigestFacts> {
  const hit = digestFactsCache.get(tags);
  if (hit) return hit;
  const facts = new Map<string, DigestFacts>();
  for (const [key, members] of digestIndex(tags).byDigest) {
    const t = tags[members[0]!]!;
    facts.set(key, { size: t.size, children: t.platforms ? t.platforms.map((c) => dkey(t.repository, c.digest)) : NO_CHILDREN });
  }
  digestFactsCache.set(tags, facts);
  return facts;
}

/** Totals: what goes, which manifests lose every tag, and the blobs no kept manifest still needs. */
export function summarize(tags: readonly CleanupTag[], planned: readonly PlannedTag[], input: Pick<PlanInput, 'manifests'>): PlanSummary {
  let del = 0;
  for (const p of planned) if (p.action === 'delete') del++;
  // Readable digests and their tags come from the cached index rather than a map rebuilt per plan.
  const { byDigest } = digestIndex(tags);
  const facts = digestFacts(tags);
  const keptManifests = new Set<string>();
  const freed: string[] = [];
  for (const [key, members] of byDigest) {
    if (members.some((i) => planned[i]!.action === 'keep')) {
      keptManifests.add(key);
      for (const c of facts.get(key)!.children) keptManifests.add(c);
    }
  }
  // A digest with a kept tag is in keptManifests already, so this is every digest nothing keeps.
  for (const key of byDigest.keys()) if (!keptManifests.has(key)) freed.push(key);

  const blobsOf = new Map<string, { digest: string; size: number }[]>();
  for (const m of input.manifests ?? []) blobsOf.set(dkey(m.repository, m.digest), m.blobs);
  const repoOf = (key: string): string => key.slice(0, key.indexOf('\0'));
  const keptBlobs = new Set<string>();
  for (const key of keptManifests) for (const b of blobsOf.get(key) ?? []) keptBlobs.add(dkey(repoOf(key), b.digest));

  let bytes = 0;
  let exact = true;
  const counted = new Set<string>();
  const freeManifest = (key: string, fallbackSize: number | null): void => {
    const blobs = blobsOf.get(key);
    if (!blobs) {
      exact = false;
      bytes += fallbackSize ?? 0;
      return;
    }
    for (const b of blobs) {
      const bk = dkey(repoOf(key), b.digest);
      if (keptBlobs.has(bk) || counted.has(bk)) continue;
      counted.add(bk);
      bytes += b.size;
    }
  };
  for (const key of freed) {
    const s = facts.get(key)!;
    if (s.children.length > 0) {
      // An index's own size already covers its children; with blobs known, count the children's blobs.
      const known = s.children.every((c) => blobsOf.has(c) || keptManifests.has(c));
      if (known) {
        for (const c of s.children) if (!keptManifests.has(c)) freeManifest(c, null);
      } else {
        freeManifest(key, s.size);
      }
    } else freeManifest(key, s.size);
  }
  return { tags: planned.length, delete: del, keep: planned.length - del, manifestsFreed: freed.length, bytesFreed: bytes, bytesFreedExact: exact };
}
