// Time from launching the browser host process to a served page (index.html and its script).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function measureBrowserHostStart(repoRoot: string, runs = 5): Promise<{ name: string; ms: number; target: number }> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(repoRoot, 'out/browser-host.mjs'), '--quiet'], {
      env: { ...process.env, STOWAGE_HOME: mkdtempSync(join(tmpdir(), 'stowage-bench-home-')) },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /STOWAGE_URL=(\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`browser host exited ${code}`)));
      });
      const origin = new URL(url).origin;
      const html = await (await fetch(`${origin}/`)).text();
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
      if (!script) throw new Error('index.html has no script');
      const js = await fetch(`${origin}/${script}`);
      if (!js.ok) throw new Error(`script answered ${js.status}`);
      await js.arrayBuffer();
      times.push(performance.now() - t0);
    } finally {
      child.kill('SIGTERM');
    }
  }
  times.sort((a, b) => a - b);
  return { name: `browser host: process start to served page + script (median of ${runs})`, ms: times[Math.floor(runs / 2)]!, target: 1000 };
}
