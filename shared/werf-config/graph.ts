import type { ImageRef, ReadImage } from './images';
import type { LPos } from './lnode';
import { suggestKey, type Ctx } from './reader';
import type { WerfDialect } from './types';

/**
 * Checks that need every image at once: name clashes, references to images that do not exist,
 * and dependency cycles. Also fills each image's `dependsOn`.
 */
export function validateImages(
  ctx: Ctx,
  all: ReadImage[],
  opts: { dialect: WerfDialect; referencesReliable: boolean },
): void {
  const images = all.filter((r) => r.image.kind !== 'artifact');
  const artifacts = all.filter((r) => r.image.kind === 'artifact');
  const byName = new Map<string, ReadImage>();
  const byArtifact = new Map<string, ReadImage>();

  const stapelCount = images.filter((r) => r.image.kind === 'stapel').length;
  const dockerfileCount = images.length - stapelCount;
  // werf ≥ 1.2 counts only final images against a nameless one (werf.go, Images(true)).
  const counted = opts.dialect === 'v1.1' ? images.length : images.filter((r) => r.image.final).length;
  for (const r of images) {
    ctx.image = r.image.name;
    if (r.image.name === null && counted > 1) {
      // werf v1.1 only compares the Stapel count and the Dockerfile count with 1, so one nameless
      // Stapel image beside one Dockerfile image passes there. It is still ambiguous, hence a warning.
      const slipsThrough = opts.dialect === 'v1.1' && stapelCount <= 1 && dockerfileCount <= 1;
      ctx.report(
        slipsThrough ? 'warning' : 'error',
        'nameless-image-with-others',
        'conflict between images names: a nameless image cannot be specified in the config with multiple images!',
        slipsThrough
          ? 'werf v1.1 accepts this combination by accident; name the image (`image: NAME`) to make the config unambiguous.'
          : 'Name this image (`image: NAME`); a nameless image is only allowed when it is the only image.',
        r.nameAt,
      );
      continue;
    }
    const key = r.image.name ?? '';
    const prev = byName.get(key);
    if (prev) {
      ctx.error(
        'image-name-conflict',
        'conflict between images names!',
        `\`${key}\` is already defined at ${prev.image.nameSource.file}:${prev.image.nameSource.line}; image names must be unique.`,
        r.nameAt,
      );
      continue;
    }
    byName.set(key, r);
  }
  for (const r of artifacts) {
    ctx.image = r.image.name;
    const key = r.image.name ?? '';
    const prev = byArtifact.get(key);
    if (prev) {
      ctx.error(
        'artifact-name-conflict',
        'conflict between artifacts names!',
        `\`${key}\` is already defined at ${prev.image.nameSource.file}:${prev.image.nameSource.line}; artifact names must be unique.`,
        r.nameAt,
      );
      continue;
    }
    const img = byName.get(key);
    if (img) {
      ctx.error(
        'image-artifact-name-conflict',
        'conflict between image and artifact names!',
        `An image named \`${key}\` is defined at ${img.image.nameSource.file}:${img.image.nameSource.line}; rename one of them.`,
        r.nameAt,
      );
    }
    byArtifact.set(key, r);
  }

  const allNames = [...byName.keys(), ...byArtifact.keys()];
  // Suggestions compare against every name; a generated file with thousands of broken references
  // would make that quadratic, so only the first few problems get one.
  let suggestionsLeft = 50;
  const missingHint = (name: string, what: string): string => {
    const guess = suggestionsLeft-- > 0 ? suggestKey(name, allNames) : undefined;
    return guess ? `Did you mean \`${guess}\`?` : `Define ${what} named \`${name}\`, or fix the name.`;
  };

  for (const r of all) {
    ctx.image = r.image.name;
    const self = r.image.name;
    const ownIsArtifact = r.image.kind === 'artifact';
    for (const ref of r.refs) {
      switch (ref.kind) {
        case 'from':
          if (!byName.has(ref.target) && !byArtifact.has(ref.target)) ref.external = true;
          break;
        case 'fromImage':
          if (ref.target === self && !ownIsArtifact) {
            ctx.error('from-image-self', 'cannot use own image name as `fromImage` directive value!', 'An image cannot be built on itself; point `fromImage` at another image.', ref.at);
          } else if (ctx.rules.fromImageExternal && !byName.has(ref.target) && !byArtifact.has(ref.target)) {
            ref.external = true;
            if (opts.referencesReliable) {
              ctx.warn(
                'werf-version-dependent',
                `\`fromImage: ${ref.target}\` names no image of this config, so werf v2.47 and newer build on the external image \`${ref.target}\`; werf before v2.47 reports "no such image"`,
                'Write `from:` for an external base image, so every werf release reads it the same way.',
                ref.at,
              );
            }
          } else if (!byName.has(ref.target) && opts.referencesReliable) {
            ctx.error(
              'no-such-image',
              `no such image \`${ref.target}\`!`,
              byArtifact.has(ref.target) ? `\`${ref.target}\` is an artifact: use \`fromArtifact: ${ref.target}\`.` : missingHint(ref.target, 'an image'),
              ref.at,
            );
          }
          break;
        case 'fromArtifact':
        case 'fromImageArtifact':
          if (ref.target === self && ownIsArtifact) {
            ctx.error('from-image-self', `cannot use own image name as \`${ref.kind}\` directive value!`, 'An artifact cannot be built on itself.', ref.at);
          } else if (!byArtifact.has(ref.target) && opts.referencesReliable) {
            ctx.error(
              'no-such-artifact',
              `no such image artifact \`${ref.target}\`!`,
              byName.has(ref.target) ? `\`${ref.target}\` is an image, not an artifact: use \`fromImage: ${ref.target}\`.` : missingHint(ref.target, 'an artifact'),
              ref.at,
            );
          }
          break;
        case 'import':
          checkImport(ctx, ref, byName, byArtifact, opts.referencesReliable, missingHint);
          break;
        case 'dependency':
          if (ref.target === self) {
            ctx.error('dependency-self', `image can't depend on itself: \`${ref.target}\`!`, 'Remove this dependency.', ref.at);
          } else if (!byName.has(ref.target) && opts.referencesReliable) {
            ctx.error('no-such-image', `no such image: \`${ref.target}\`!`, missingHint(ref.target, 'an image'), ref.at);
          }
          break;
      }
    }
  }

  for (const r of all) {
    const seen = new Set<string>();
    for (const ref of r.refs) {
      if (ref.importEntry?.external || ref.external || seen.has(ref.target)) continue;
      seen.add(ref.target);
      r.image.dependsOn.push(ref.target);
    }
  }

  findCycles(ctx, all, byName, byArtifact);
}

function checkImport(
  ctx: Ctx,
  ref: ImageRef,
  byName: Map<string, ReadImage>,
  byArtifact: Map<string, ReadImage>,
  reliable: boolean,
  missingHint: (name: string, what: string) => string,
): void {
  if (ref.expects === 'image') {
    if (!byName.has(ref.target) && reliable) {
      ctx.error(
        'no-such-image',
        `no such image \`${ref.target}\`!`,
        byArtifact.has(ref.target) ? `\`${ref.target}\` is an artifact: import it with \`artifact: ${ref.target}\`.` : missingHint(ref.target, 'an image'),
        ref.at,
      );
    }
    return;
  }
  if (ref.expects === 'artifact') {
    if (!byArtifact.has(ref.target) && reliable) {
      ctx.error(
        'no-such-artifact',
        `no such artifact \`${ref.target}\`!`,
        byName.has(ref.target) ? `\`${ref.target}\` is an image: import it with \`image: ${ref.target}\`.` : missingHint(ref.target, 'an artifact'),
        ref.at,
      );
    }
    return;
  }
  if (byName.has(ref.target) || byArtifact.has(ref.target)) return;
  // `from:` may name a registry image; werf takes names with a tag or digest as external.
  if (/[:@]/.test(ref.target)) {
    if (ref.importEntry) ref.importEntry.external = true;
    return;
  }
  if (reliable) {
    ctx.error(
      'no-such-image',
      `no such image \`${ref.target}\`!`,
      `${missingHint(ref.target, 'an image')} To copy from a registry image, include its tag (\`${ref.target}:TAG\`).`,
      ref.at,
    );
  }
}

interface Edge {
  to: string;
  at: LPos;
}

function nodeId(kind: 'i' | 'a', name: string): string {
  return `${kind}:${name}`;
}

function findCycles(ctx: Ctx, all: ReadImage[], byName: Map<string, ReadImage>, byArtifact: Map<string, ReadImage>): void {
  const adj = new Map<string, Edge[]>();
  const owner = new Map<string, ReadImage>();
  const order: string[] = [];
  const add = (id: string, r: ReadImage): void => {
    order.push(id);
    owner.set(id, r);
    const edges: Edge[] = [];
    for (const ref of r.refs) {
      let to: string | null = null;
      if (ref.expects === 'image') to = byName.has(ref.target) ? nodeId('i', ref.target) : null;
      else if (ref.expects === 'artifact') to = byArtifact.has(ref.target) ? nodeId('a', ref.target) : null;
      else if (byName.has(ref.target)) to = nodeId('i', ref.target);
      else if (byArtifact.has(ref.target)) to = nodeId('a', ref.target);
      if (to === null) continue;
      // Self references by base or dependency already have their own, clearer problem.
      if (to === id && ref.kind !== 'import') continue;
      edges.push({ to, at: ref.at });
    }
    adj.set(id, edges);
  };
  for (const [name, r] of byName) add(nodeId('i', name), r);
  for (const [name, r] of byArtifact) add(nodeId('a', name), r);

  const color = new Map<string, number>();
  // Each back edge of the depth-first search closes a different cycle; a handful is plenty to report.
  let cyclesLeft = 20;
  for (const start of order) {
    if (color.get(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    const path: string[] = [start];
    const pathIndex = new Map<string, number>([[start, 0]]);
    color.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const edges = adj.get(top.id) ?? [];
      if (top.next >= edges.length) {
        color.set(top.id, 2);
        stack.pop();
        pathIndex.delete(path.pop()!);
        continue;
      }
      const edge = edges[top.next++];
      const c = color.get(edge.to) ?? 0;
      if (c === 0) {
        color.set(edge.to, 1);
        stack.push({ id: edge.to, next: 0 });
        pathIndex.set(edge.to, path.length);
        path.push(edge.to);
      } else if (c === 1 && cyclesLeft > 0) {
        cyclesLeft--;
        const cycle = path.slice(pathIndex.get(edge.to) ?? 0);
        const first = cycle[0];
        const second = cycle[1] ?? first;
        const at = (adj.get(first) ?? []).find((e) => e.to === second)?.at ?? edge.at;
        const names = [...cycle, first].map((id) => id.slice(2));
        ctx.image = owner.get(first)?.image.name;
        ctx.error(
          'dependency-cycle',
          `infinite loop detected: ${names.join(' -> ')}`,
          'Images cannot depend on each other in a circle (through fromImage, fromArtifact, import or dependencies); break the loop.',
          at,
        );
      }
    }
  }
}
