/**
 * werf's slug functions (werf v1.1 `pkg/slug/slug.go`), reproduced byte for byte so Stowage
 * previews the same tags, namespaces and release names werf will compute.
 *
 * Lengths: werf measures with Go's `len`, i.e. UTF-8 bytes. Everything here that is compared
 * with a limit or cropped is either the output of slugify (ASCII by construction of the table)
 * or a string that has already matched an ASCII-only pattern, so UTF-16 `.length` equals the
 * byte count wherever it decides anything.
 */

import { murmur3_32String } from './murmur3';
import { SLUG_TABLE } from './slug-table';

/** werf's legacy `slug.Slug` limit, still the default for `LimitedSlug`. */
export const DEFAULT_SLUG_MAX_SIZE = 42;
export const DOCKER_TAG_MAX_SIZE = 128;
export const KUBERNETES_NAMESPACE_MAX_SIZE = 63;
export const HELM_RELEASE_MAX_SIZE = 53;
export const PROJECT_NAME_MAX_SIZE = 50;

// Go's regexp `\w` is ASCII-only, as is JS's without the `u` flag, so the pattern carries over.
const DOCKER_TAG_RE = /^[\w][\w.-]*$/;
const PROJECT_NAME_RE = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;
// k8s.io/apimachinery IsDNS1123Subdomain, which werf v1.1 applies to namespaces and releases.
// Its own 253-char limit never binds because werf's limits (63, 53) are checked first.
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Transliterates through werf's table rune by rune, dropping runes the table lacks, then
 * collapses dashes: none leading, none doubled, none trailing.
 */
export function slugify(s: string): string {
  let out = '';
  // for…of walks code points, matching Go's `range` over runes; a lone surrogate comes out as
  // itself, is not in the table and is dropped, as Go drops the U+FFFD it would see there.
  for (const rune of s) {
    const mapped = SLUG_TABLE.get(rune);
    if (mapped === undefined || mapped === '') continue;
    if (mapped === '-' && (out === '' || out.endsWith('-'))) continue;
    out += mapped;
  }
  return out.endsWith('-') ? out.slice(0, -1) : out;
}

/**
 * werf's `LegacyMurmurHash` of one string: murmur3-32, seed 0, over its UTF-8 bytes, printed
 * with Go's `%x`, so there is no zero padding and the result is 1 to 8 characters long.
 */
export function slugHash(s: string): string {
  return murmur3_32String(s).toString(16);
}

/**
 * `slugify(s)` cropped so that `-<hash>` fits in `max`, then `-<hash>` of the original string;
 * just the hash when nothing survives slugify.
 *
 * Throws RangeError when `max` is not an integer, or leaves no room for the hash while there is
 * slugified text to crop (werf panics on an out-of-range slice there).
 */
export function slug(s: string, max: number): string {
  if (!Number.isInteger(max)) throw new RangeError(`slug: max must be an integer, got ${max}`);
  const hash = slugHash(s);
  const slugged = slugify(s);
  if (slugged === '') return hash;

  const room = max - hash.length - 1;
  if (room < 0) {
    throw new RangeError(`slug: max ${max} leaves no room for "-${hash}"`);
  }
  // werf means to drop a "-" the crop leaves at the end, but tests HasPrefix instead of
  // HasSuffix; slugify never starts with "-", so it never fires and "…--<hash>" can appear.
  // Kept on purpose: names werf has already created depend on it.
  return `${slugged.slice(0, room)}-${hash}`;
}

/**
 * werf's `LimitedSlug` as of v1.1: unchanged when empty, or already a slug shorter than `max`;
 * otherwise `slug(s, max)`. Later werf also passes strings of exactly `max` and some already
 * double-dashed slugs through; v1.1 does not, and neither does this.
 */
export function limitedSlug(s: string, max: number = DEFAULT_SLUG_MAX_SIZE): string {
  if (s === '' || (s.length < max && slugify(s) === s)) return s;
  return slug(s, max);
}

/**
 * werf's `IsValidDockerTag`. Like werf it accepts the empty string, which werf treats as
 * "nothing to slug" rather than as a usable tag; callers validating user input should reject
 * "" themselves.
 */
export function isValidDockerTag(s: string): boolean {
  return s === '' || (s.length <= DOCKER_TAG_MAX_SIZE && DOCKER_TAG_RE.test(s));
}

export function dockerTag(s: string): string {
  return isValidDockerTag(s) ? s : slug(s, DOCKER_TAG_MAX_SIZE);
}

/** werf v1.1 namespace check: DNS-1123 subdomain of at most 63 characters; "" passes. */
export function isValidKubernetesNamespace(s: string): boolean {
  return (
    s === '' || (s.length <= KUBERNETES_NAMESPACE_MAX_SIZE && DNS1123_SUBDOMAIN_RE.test(s))
  );
}

export function kubernetesNamespace(s: string): string {
  return isValidKubernetesNamespace(s) ? s : slug(s, KUBERNETES_NAMESPACE_MAX_SIZE);
}

/** werf v1.1 release check: DNS-1123 subdomain of at most 53 characters; "" passes. */
export function isValidHelmRelease(s: string): boolean {
  return s === '' || (s.length <= HELM_RELEASE_MAX_SIZE && DNS1123_SUBDOMAIN_RE.test(s));
}

export function helmRelease(s: string): string {
  return isValidHelmRelease(s) ? s : slug(s, HELM_RELEASE_MAX_SIZE);
}

/** werf's project name check; "" passes, as in werf. */
export function isValidProjectName(s: string): boolean {
  return s === '' || (s.length <= PROJECT_NAME_MAX_SIZE && PROJECT_NAME_RE.test(s));
}

/**
 * werf's `slug.Project`: an invalid name is slugified and truncated, with no hash, so two long
 * names sharing their first 50 slug characters collide, and a cut can end on "-"; both as werf.
 */
export function projectSlug(s: string): string {
  return isValidProjectName(s) ? s : slugify(s).slice(0, PROJECT_NAME_MAX_SIZE);
}
