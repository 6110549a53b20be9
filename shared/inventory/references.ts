/**
 * The ways a user refers to one tag, as Docker Desktop and registry UIs offer to copy them. The
 * registry host is the one the inventory was listed from, so the names pull from the same place.
 */
export interface TagReferences {
  tag: string;
  /** `host/repo:tag` */
  byTag: string;
  /** Present when the digest is known. */
  digest?: string;
  /** `host/repo@sha256:…`: the exact image, whatever the tag later points at. */
  byDigest?: string;
  /** `docker pull host/repo@sha256:…` (by tag when the digest is unknown). */
  pull: string;
}

export function tagReferences(registry: string, repository: string, tag: string, digest: string | null): TagReferences {
  const name = registry === '' ? repository : `${registry}/${repository}`;
  const byTag = `${name}:${tag}`;
  if (digest === null) return { tag, byTag, pull: `docker pull ${byTag}` };
  const byDigest = `${name}@${digest}`;
  return { tag, byTag, digest, byDigest, pull: `docker pull ${byDigest}` };
}
