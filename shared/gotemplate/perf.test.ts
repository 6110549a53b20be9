import { describe, expect, it } from 'vitest';
import { renderWerfConfig } from './werf';

const CONFIG = `project: demo
configVersion: 1
{{- range $i := until 300 }}
---
image: app-{{ $i }}
from: {{ $.base | default "alpine:3.19" }}
{{- include "common" (dict "i" $i "name" (printf "svc-%03d" $i)) | nindent 0 }}
{{- end }}
`;

const PARTIAL = `{{- define "common" }}
dockerfile: {{ .name }}/Dockerfile
context: {{ .name | trimPrefix "svc-" | printf "./%s" }}
args:
  INDEX: {{ .i | quote }}
  NAME: {{ .name | upper | quote }}
{{- if eq (mod .i 2) 0 }}
  EVEN: "true"
{{- end }}
{{- end }}`;

function renderOnce(): string {
  return renderWerfConfig({
    configFile: { name: 'werf.yaml', text: CONFIG },
    partials: [{ name: 'common.tmpl', text: PARTIAL }],
    host: { env: () => undefined, readFile: () => null, glob: () => ({}), now: () => new Date(0) },
  }).text;
}

describe('performance', () => {
  it('renders 300 image documents well under 20 ms', () => {
    const out = renderOnce();
    expect(out.split('\n---\n')).toHaveLength(301);
    expect(out).toContain('image: app-299\nfrom: alpine:3.19\n\ndockerfile: svc-299/Dockerfile\ncontext: ./299');
    // Measure the warmed-up engine, as in the app where the config is re-rendered on every change;
    // the first few runs mostly measure the JS engine compiling this code.
    for (let k = 0; k < 15; k++) renderOnce();
    let best = Infinity;
    for (let k = 0; k < 10; k++) {
      const t0 = performance.now();
      renderOnce();
      best = Math.min(best, performance.now() - t0);
    }
    expect(best).toBeLessThan(20);
  });
});
