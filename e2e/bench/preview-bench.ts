// Parse + preview of a generated 300-image werf.yaml, and render + parse + preview of a templated
// config that produces 300 images from a `range`. Prints the median full-recompute time per case.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previewNames } from '../../shared/naming/preview';
import { parseWerfConfig } from '../../shared/werf-config';
import { loadProject } from '../../electron/services/project/load-project';

const IMAGES = 300;
const RUNS = 60;

function plainConfig(): string {
  const docs = ['project: bench\nconfigVersion: 1'];
  for (let i = 0; i < IMAGES; i++) {
    docs.push(i % 3 === 0
      ? `image: service-${i}\ndockerfile: services/${i}/Dockerfile\ncontext: services/${i}\ntarget: runtime\nargs:\n  VERSION: "1.${i}"`
      : `image: service-${i}\nfrom: alpine:3.20\nshell:\n  install:\n  - echo ${i}`);
  }
  return docs.join('\n---\n') + '\n';
}

function templatedConfig(): string {
  return [
    'project: bench',
    'configVersion: 1',
    `{{- $services := until ${IMAGES} }}`,
    '{{- range $i := $services }}',
    '---',
    'image: service-{{ $i }}',
    '{{- if eq (mod $i 3) 0 }}',
    'dockerfile: services/{{ $i }}/Dockerfile',
    'context: services/{{ $i }}',
    'args:',
    '  VERSION: {{ printf "1.%d" $i | quote }}',
    '  BASE: {{ env "BASE_IMAGE" | default "alpine:3.20" }}',
    '{{- else }}',
    'from: {{ env "BASE_IMAGE" | default "alpine:3.20" }}',
    'shell:',
    '  install:',
    '  - echo {{ $i }}',
    '{{- end }}',
    '{{- end }}',
    '',
  ].join('\n');
}

const TAGS = [
  { strategy: 'custom' as const, raw: 'latest' },
  { strategy: 'custom' as const, raw: 'v1.2.3' },
  { strategy: 'git-branch' as const, raw: 'feature/JIRA-123_new-checkout' },
  { strategy: 'git-commit' as const, raw: 'a'.repeat(40) },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function preview(names: (string | null)[], repo: string) {
  return previewNames({ images: names.map((name) => ({ name })), imagesRepo: repo, mode: 'auto', implementation: 'auto', tags: TAGS });
}

export async function runPreviewBench(): Promise<{ name: string; ms: number; target: number }[]> {
  const text = plainConfig();
  const plain: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const { config } = parseWerfConfig(text, { file: 'werf.yaml' });
    const result = preview(config.images.map((i) => i.name), r % 2 ? 'flant/project' : 'registry.example.com/team');
    if (result.images.length !== IMAGES) throw new Error(`expected ${IMAGES} images, got ${result.images.length}`);
    plain.push(performance.now() - t0);
  }

  const dir = mkdtempSync(join(tmpdir(), 'stowage-bench-'));
  mkdirSync(join(dir, '.werf'));
  writeFileSync(join(dir, 'werf.yaml'), templatedConfig());
  const templated: number[] = [];
  for (let r = 0; r < Math.min(RUNS, 30); r++) {
    const t0 = performance.now();
    const view = await loadProject(dir, { environment: {} });
    const result = preview(view.images.map((i) => i.name), 'flant/project');
    if (result.images.length !== IMAGES) throw new Error(`templated: expected ${IMAGES} images, got ${result.images.length}: ${view.problems[0]?.message}`);
    templated.push(performance.now() - t0);
  }

  return [
    { name: `parse + preview, ${IMAGES}-image werf.yaml × ${TAGS.length} tags (median of ${RUNS})`, ms: median(plain), target: 20 },
    { name: `read + render + parse + preview, templated ${IMAGES}-image werf.yaml (median of 30)`, ms: median(templated), target: 100 },
  ];
}
