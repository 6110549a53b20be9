import { sha256Hex } from '../gotemplate/hash';
import { fmix32 } from '../naming/murmur3';
import type { CleanupTag, PlanInput, PlannedTag } from './types';

/**
 * JSON with object keys sorted, so equal values hash equally whatever order they were built in.
 * `undefined` members are dropped, as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(v: unknown, out: string[]): void {
  if (v === null || typeof v !== 'object') {
    out.push(v === undefined ? 'null' : JSON.stringify(v));
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      write(v[i], out);
    }
    out.push(']');
    return;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  out.push('{');
  keys.forEach((k, i) => {
    if (i > 0) out.push(',');
    out.push(JSON.stringify(k), ':');
    write(obj[k], out);
  });
  out.push('}');
}

export function sha256OfText(text: string): string {
  return `sha256:${sha256Hex(new TextEncoder().encode(text))}`;
}

/** The labels the planner reads; others cannot change a decision, so they are not part of the id. */
const PLAN_LABELS = ['werf-image', 'werf-tag-strategy', 'werf-image-tag', 'werf-content-signature'] as const;

/**
 * Fingerprints of the big, unchanging inputs (the tag list, the git snapshot, werf's records, the
 * clusters' images), kept per object: the view re-plans on every policy edit with the same inputs,
 * and hashing 20,000 tags each time would dominate. Inputs are plain data never mutated in place.
 */
const fingerprints = new WeakMap<object, string>();

function fingerprint(obj: object, build: () => string): string {
  let fp = fingerprints.get(obj);
  if (fp === undefined) {
    fp = hash128(build());
    fingerprints.set(obj, fp);
  }
  return fp;
}

/**
 * A 128-bit non-cryptographic hash of a string (four multiply-xor lanes over pairs of UTF-16 code
 * units, then an avalanche), several times faster than SHA-256 in JavaScript. It fingerprints the
 * big inputs inside the plan id, which only has to change whenever an input does: it is not a
 * security boundary (the executor re-checks every digest against the registry before acting).
 */
export function hash128(text: string): string {
  let a = 0x811c9dc5 | 0;
  let b = 0x01000193 | 0;
  let c = 0x9e3779b9 | 0;
  let d = 0x85ebca6b | 0;
  const n = text.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const k = (text.charCodeAt(i) << 16) | text.charCodeAt(i + 1);
    a = Math.imul(a ^ k, 0x01000193);
    b = Math.imul(b ^ k, 0x5bd1e995);
    c = Math.imul(c ^ k, 0xcc9e2d51) ^ (a >>> 15);
    d = Math.imul(d ^ k, 0x1b873593) ^ (b >>> 13);
  }
  if (i < n) {
    const k = text.charCodeAt(i);
    a = Math.imul(a ^ k, 0x01000193);
    b = Math.imul(b ^ k, 0x5bd1e995);
    c = Math.imul(c ^ k, 0xcc9e2d51);
    d = Math.imul(d ^ k, 0x1b873593);
  }
  const mix = (h: number, seed: number): number => fmix32(h ^ (n + seed));
  const ha = mix(a ^ d, 1);
  const hb = mix(b ^ a, 2);
  const hc = mix(c ^ b, 3);
  const hd = mix(d ^ c, 4);
  return [ha, hb, hc, hd].map((x) => x.toString(16).padStart(8, '0')).join('');
}

function tagLine(t: CleanupTag): string {
  return JSON.stringify([
    t.repository, t.tag, t.digest, t.kind, t.size, t.mediaType ?? null, t.created ?? null, t.pushed ?? null,
    t.image === undefined ? 0 : t.image, t.service ?? null, t.signatureOf ?? null,
    t.platforms ? t.platforms.map((p) => p.digest) : null, t.error ?? null, t.pending === true,
    PLAN_LABELS.map((k) => t.labels?.[k] ?? null),
  ]);
}

/**
 * What the plan id hashes: every input the planner reads (large parts through their fingerprints)
 * and every decision.
 */
export function planIdSource(input: PlanInput, tags: readonly CleanupTag[], decisions: readonly PlannedTag[], policy: unknown): string {
  const lines: string[] = ['stowage-plan-v1'];
  lines.push(canonicalJson({
    now: input.now,
    repository: input.repository,
    implementation: input.implementation,
    registryHost: input.registryHost,
    capability: input.capability,
    policy,
    switches: input.switches ?? {},
    overrides: [...(input.overrides ?? [])].map((o) => `${o.repository}\0${o.tag}`).sort(),
  }));
  lines.push(fingerprint(tags, () => tags.map(tagLine).join('\n')));
  const git = input.git;
  lines.push(
    git
      ? fingerprint(git, () => {
          const g: string[] = [JSON.stringify(['git', git.shallow, git.hasOrigin, git.lastFetch ?? null, git.head ?? null])];
          for (const r of git.refs) g.push(JSON.stringify([r.kind, r.name, r.commit, r.date]));
          for (const c of git.commits) g.push(`${c.hash} ${c.date} ${c.parents.join(' ')}`);
          if (git.commitExists) g.push(canonicalJson(git.commitExists));
          return g.join('\n');
        })
      : 'no-git',
  );
  const meta = input.werfMetadata;
  lines.push(
    meta
      ? fingerprint(meta, () => {
          const m: string[] = [canonicalJson({ formats: meta.formats, unreadable: meta.unreadable })];
          for (const r of meta.records) m.push(JSON.stringify([r.format, r.image, r.commit, r.signature, r.tags ?? null]));
          return m.join('\n');
        })
      : 'no-metadata',
  );
  const kube = input.kube;
  if (kube) {
    lines.push(canonicalJson({ contexts: kube.contexts, unreachable: kube.unreachable, proceed: kube.proceedWithoutUnreachable === true }));
    lines.push(fingerprint(kube.uses, () => kube.uses.map((u) => JSON.stringify([u.registry, u.repository, u.tag ?? null, u.digest ?? null, u.where])).join('\n')));
  } else lines.push('no-kube');
  const manifests = input.manifests;
  if (manifests) lines.push(fingerprint(manifests, () => manifests.map((m) => JSON.stringify([m.repository, m.digest, m.blobs.map((b) => [b.digest, b.size])])).join('\n')));
  for (const d of decisions) lines.push(`${d.action}|${d.method ?? ''}|${d.reasons.map((r) => r.rule).join(',')}`);
  return lines.join('\n');
}
