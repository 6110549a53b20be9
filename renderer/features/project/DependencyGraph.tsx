import { useMemo, type KeyboardEvent } from 'react';
import type { ImageSummary } from '../../../shared/api/types';
import { KindIcon } from '../../components/KindIcon';

const NODE_W = 170;
const NODE_H = 34;
const COL_GAP = 70;
const ROW_GAP = 14;
/** Characters that fit a node beside its icon; longer names are cut and get their full name as a tooltip. */
const LABEL_CHARS = 19;

const KIND_LABEL: Record<ImageSummary['kind'], string> = {
  dockerfile: 'Dockerfile image',
  stapel: 'Stapel image',
  artifact: 'Stapel artifact',
};

interface Placed {
  id: string;
  label: string;
  kind: ImageSummary['kind'];
  col: number;
  row: number;
}

/**
 * Images laid out in columns by dependency depth (what an image needs sits to its left), so a build
 * order can be read left to right. Only drawn when at least one image depends on another. A node
 * is a button: it selects the image's row in the table.
 */
export function DependencyGraph({ images, selected, onSelect }: { images: ImageSummary[]; selected?: string | null; onSelect?: (name: string) => void }) {
  const layout = useMemo(() => {
    const byName = new Map(images.filter((i) => i.name !== null).map((i) => [i.name!, i]));
    const depth = new Map<string, number>();
    const visiting = new Set<string>();
    const depthOf = (name: string): number => {
      const known = depth.get(name);
      if (known !== undefined) return known;
      if (visiting.has(name)) return 0; // cycles are reported as problems; do not loop here
      visiting.add(name);
      const deps = byName.get(name)?.dependsOn.filter((d) => byName.has(d)) ?? [];
      const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(depthOf));
      visiting.delete(name);
      depth.set(name, d);
      return d;
    };
    const rows = new Map<number, number>();
    const nodes: Placed[] = [];
    const placed = new Set<string>();
    for (const image of images) {
      // A name defined twice is one node: werf refuses the config, the table shows both definitions.
      if (image.name === null || placed.has(image.name)) continue;
      placed.add(image.name);
      const col = depthOf(image.name);
      const row = rows.get(col) ?? 0;
      rows.set(col, row + 1);
      nodes.push({ id: image.name, label: image.name, kind: image.kind, col, row });
    }
    const pos = new Map(nodes.map((n) => [n.id, n]));
    const edges = images.flatMap((i) => (i.name === null ? [] : i.dependsOn.filter((d) => pos.has(d)).map((d) => ({ from: d, to: i.name! }))));
    const cols = Math.max(0, ...nodes.map((n) => n.col)) + 1;
    const maxRows = Math.max(0, ...rows.values());
    const kinds = [...new Set(nodes.map((n) => n.kind))];
    return { nodes, edges, pos, kinds, width: cols * (NODE_W + COL_GAP) - COL_GAP + 4, height: maxRows * (NODE_H + ROW_GAP) };
  }, [images]);

  if (layout.edges.length === 0) return null;
  const x = (n: Placed) => n.col * (NODE_W + COL_GAP);
  const y = (n: Placed) => n.row * (NODE_H + ROW_GAP);
  const onKey = (e: KeyboardEvent, id: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect?.(id);
    }
  };
  return (
    <section className="card dependency-graph" aria-label="Image dependencies">
      <div className="graph-head">
        <h3>Dependencies <span className="muted">(fromImage, import, dependencies — left is built first; click an image to find it in the table)</span></h3>
        <ul className="graph-legend" aria-label="Legend">
          {layout.kinds.map((kind) => (
            <li key={kind} className={`legend-item ${kind}`}>
              <span className="legend-swatch"><KindIcon kind={kind} /></span>
              {KIND_LABEL[kind]}
            </li>
          ))}
        </ul>
      </div>
      <div className="graph-scroll">
        <svg width={layout.width} height={layout.height} role="group" aria-label={`${layout.edges.length} dependencies between ${layout.nodes.length} images`}>
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" className="edge-head" />
            </marker>
          </defs>
          {layout.edges.map((e) => {
            const a = layout.pos.get(e.from)!;
            const b = layout.pos.get(e.to)!;
            const x1 = x(a) + NODE_W;
            const y1 = y(a) + NODE_H / 2;
            const x2 = x(b) - 2;
            const y2 = y(b) + NODE_H / 2;
            const mid = (x1 + x2) / 2;
            return <path key={`${e.from}->${e.to}`} className="edge" d={`M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`} fill="none" markerEnd="url(#arrow)" />;
          })}
          {layout.nodes.map((n) => {
            const cut = n.label.length > LABEL_CHARS;
            return (
              <g
                key={n.id}
                transform={`translate(${x(n)}, ${y(n)})`}
                className={`node ${n.kind}${selected === n.id ? ' selected' : ''}`}
                data-node={n.id}
                role="button"
                tabIndex={0}
                aria-label={`${n.label}, ${KIND_LABEL[n.kind]}: show in the images table`}
                aria-pressed={selected === n.id}
                onClick={() => onSelect?.(n.id)}
                onKeyDown={(e) => onKey(e, n.id)}
              >
                {/* The full name, for a pointer resting on a cut one (and for screen readers). */}
                <title>{`${n.label} (${KIND_LABEL[n.kind]})`}</title>
                <rect width={NODE_W} height={NODE_H} rx="6" />
                <g transform={`translate(9, ${NODE_H / 2 - 7})`}>
                  <KindIcon kind={n.kind} />
                </g>
                <text x="30" y={NODE_H / 2 + 4}>{cut ? `${n.label.slice(0, LABEL_CHARS - 1)}…` : n.label}</text>
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}
