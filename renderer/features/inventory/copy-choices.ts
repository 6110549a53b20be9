import type { InventoryTag } from '../../../shared/inventory/types';
import { tagReferences } from '../../../shared/inventory/references';
import { parseImagesRepo } from '../../../shared/registry/detect';
import type { CopyChoice } from '../../components/CopyMenu';

/** What can be copied for a tag, named with the registry the inventory was listed from. */
export function copyChoices(row: Pick<InventoryTag, 'repository' | 'tag' | 'digest'>, imagesRepo: string): CopyChoice[] {
  const refs = tagReferences(parseImagesRepo(imagesRepo).registry, row.repository, row.tag, row.digest);
  const out: CopyChoice[] = [{ caption: 'Tag', text: refs.tag }, { caption: 'Name and tag', text: refs.byTag }];
  if (refs.digest && refs.byDigest) out.push({ caption: 'Digest', text: refs.digest }, { caption: 'Name by digest', text: refs.byDigest });
  out.push({ caption: 'Pull command', text: refs.pull });
  return out;
}
