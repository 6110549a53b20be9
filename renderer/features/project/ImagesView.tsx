import { useMemo, useState } from 'react';
import type { ImageSummary } from '../../../shared/api/types';
import { DependencyGraph } from './DependencyGraph';
import { ImagesTable } from './ImagesTable';
import { filterImages } from './filter-images';
import { NoMatches } from '../../components/NoMatches';

/** The Images tab: the table (with a filter once a project has a few images) and the dependency graph, linked by selection. */
export function ImagesView({ images }: { images: ImageSummary[] }) {
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const shown = useMemo(() => filterImages(images, filter), [images, filter]);
  const select = (name: string) => {
    // A node whose row the filter hides would select nothing visible: clear the filter first.
    if (!shown.some((i) => i.name === name)) setFilter('');
    setSelected(name);
  };
  return (
    <>
      {images.length > 1 && (
        <div className="inv-controls images-controls">
          <input type="search" aria-label="Filter images" placeholder="Filter by name, kind, Dockerfile, base…" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <span className="muted" data-testid="images-shown">{shown.length === images.length ? `${images.length} images` : `${shown.length} of ${images.length} shown`}</span>
        </div>
      )}
      {images.length > 0 && shown.length === 0 ? (
        <NoMatches what="image" filter={filter} onClear={() => setFilter('')} />
      ) : (
        <ImagesTable images={shown} all={images} selected={selected} onSelect={setSelected} />
      )}
      <DependencyGraph images={images} selected={selected} onSelect={select} />
    </>
  );
}
