/** The project corpus (e2e/fixtures/corpus) as oracle cases: each fixture's config, partials and files. */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COMMIT } from './generate';
import type { OracleCase } from './oracle';

function walkFiles(dir: string, root: string, out: Record<string, string>): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) walkFiles(full, root, out);
    else if (e.isFile() || (e.isSymbolicLink() && !lstatSync(full).isDirectory())) {
      if (e.isSymbolicLink()) continue; // Links are the host's business (project-files), not the engine's.
      out[relative(root, full)] = readFileSync(full, 'utf8');
    }
  }
}

export function corpusCases(corpus: string): { name: string; c: OracleCase }[] {
  const out: { name: string; c: OracleCase }[] = [];
  for (const kind of ['ok', 'errors', 'real']) {
    const base = join(corpus, kind);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name);
      const configName = ['werf.yaml', 'werf.yml'].find((f) => existsSync(join(dir, f)));
      if (!configName) continue;
      const files: Record<string, string> = {};
      walkFiles(dir, dir, files);
      const partials = Object.keys(files)
        .filter((p) => p.startsWith('.werf/') && p.endsWith('.tmpl'))
        .map((p) => ({ name: p.slice('.werf/'.length), text: files[p]! }));
      const expected = existsSync(join(dir, 'expected.json')) ? (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { env?: Record<string, string> }) : {};
      out.push({
        name: `${kind}/${name}`,
        // werf's --env comes from WERF_ENV when the flag is absent; loadProject reads it the same way.
        c: { config: files[configName]!, partials, files, env: expected.env ?? {}, werfEnv: expected.env?.WERF_ENV ?? '', commit: COMMIT, loose: true },
      });
    }
  }
  return out;
}

