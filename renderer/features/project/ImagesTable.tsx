import type { ImageSummary } from '../../../shared/api/types';

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

export function ImagesTable({ images }: { images: ImageSummary[] }) {
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
        <tbody>
          {images.map((image, i) => (
            <tr key={`${image.name ?? '~'}-${i}`} data-image={image.name ?? '~'}>
              <th scope="row">
                {image.name === null ? <em className="nameless">nameless</em> : <code>{image.name}</code>}
                {!image.final && <span className="badge subtle" title="Not published: used by other images only">not final</span>}
                <div className="at">{image.source.file}:{image.source.line}</div>
              </th>
              <td>{KIND_LABEL[image.kind]}</td>
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
