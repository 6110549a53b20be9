import { useEffect, useRef } from 'react';
import type { ImageSummary } from '../../../shared/api/types';
import { KindIcon } from '../../components/KindIcon';

const KIND_LABEL: Record<ImageSummary['kind'], string> = {
  dockerfile: 'Dockerfile',
  stapel: 'Stapel image',
  artifact: 'Stapel artifact',
};

function At({ image, field }: { image: ImageSummary; field: string }) {
  const at = image.fields[field];
  return at ? <span className="at" title={`${at.file}:${at.line}:${at.column}`}>{at.file}:{at.line}</span> : null;
}

function Value({ image, field, value }: { image: ImageSummary; field: string; value: string | undefined }) {
  if (value === undefined) return <span className="muted">—</span>;
  return (
    <>
      <code>{value}</code> <At image={image} field={field} />
    </>
  );
}

/**
 * `all`: every image of the config, when `images` is a filtered part of it (duplicates are told
 * apart by their position in the config). `selected`: the image the dependency graph pointed at.
 */
export function ImagesTable({ images, all = images, selected = null, onSelect }: { images: ImageSummary[]; all?: ImageSummary[]; selected?: string | null; onSelect?: (name: string | null) => void }) {
  const body = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    if (selected === null) return;
    const row = body.current?.querySelector<HTMLTableRowElement>(`tr[data-image="${CSS.escape(selected)}"]`);
    row?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    row?.focus({ preventScroll: true });
  }, [selected]);
  // The second and later definitions of a name: werf refuses the config; the table shows them marked.
  const duplicates = new Set<ImageSummary>();
  const seen = new Set<string | null>();
  for (const image of all) {
    if (seen.has(image.name)) duplicates.add(image);
    seen.add(image.name);
  }
  if (images.length === 0) {
    return <p className="empty-state">This config defines no images yet. Add an <code>image:</code> document to werf.yaml; the list updates when you save.</p>;
  }
  return (
    <div className="table-wrap">
      <table className="images-table" aria-label="Images">
        <thead>
          <tr>
            <th scope="col">Image</th>
            <th scope="col">Kind</th>
            <th scope="col">Dockerfile</th>
            <th scope="col">Context</th>
            <th scope="col">Target</th>
            <th scope="col">Args</th>
            <th scope="col">Base</th>
            <th scope="col">Depends on</th>
          </tr>
        </thead>
        <tbody ref={body}>
          {images.map((image, i) => (
            <tr
              key={`${image.name ?? '~'}-${i}`}
              data-image={image.name ?? '~'}
              className={selected !== null && image.name === selected ? 'selected' : undefined}
              aria-selected={selected !== null && image.name === selected}
              tabIndex={-1}
              onClick={() => onSelect?.(image.name)}
            >
              <th scope="row">
                {image.name === null ? <em className="nameless">nameless</em> : <code>{image.name}</code>}
                {!image.final && <span className="badge subtle" title="Not published: used by other images only">not final</span>}
                {duplicates.has(image) && <span className="badge error" title="werf refuses a config that defines a name twice">duplicate name</span>}
                <div className="at">{image.source.file}:{image.source.line}</div>
              </th>
              <td className="kind-cell"><KindIcon kind={image.kind} /> {KIND_LABEL[image.kind]}</td>
              <td><Value image={image} field="dockerfile" value={image.dockerfile} /></td>
              <td><Value image={image} field="context" value={image.context} /></td>
              <td><Value image={image} field="target" value={image.target} /></td>
              <td>
                {image.args && Object.keys(image.args).length > 0 ? (
                  <>
                    <ul className="args">
                      {Object.entries(image.args).map(([k, v]) => (
                        <li key={k}><code>{k}={v}</code></li>
                      ))}
                    </ul>
                    <At image={image} field="args" />
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                {image.from !== undefined ? (
                  <><span className="muted">from </span><Value image={image} field="from" value={image.from} /></>
                ) : image.fromImage !== undefined ? (
                  <><span className="muted">fromImage </span><Value image={image} field="fromImage" value={image.fromImage} /></>
                ) : image.fromArtifact !== undefined ? (
                  <><span className="muted">fromArtifact </span><Value image={image} field="fromArtifact" value={image.fromArtifact} /></>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>{image.dependsOn.length > 0 ? image.dependsOn.map((d) => <code key={d} className="dep">{d}</code>) : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
