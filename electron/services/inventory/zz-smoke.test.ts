import { it, expect } from 'vitest';
import { startDistribution } from '../../../e2e/services/distribution';
import { bulkSeed } from '../../../electron/services/inventory/testing/bulk-seed';
import { listInventory } from '../../../electron/services/inventory';
import { mkdtempSync } from 'node:fs';

it('smoke', async () => {
  const reg = await startDistribution();
  try {
    let t = Date.now();
    const imgs = Array.from({ length: 5000 }, (_, i) => ({ tag: `t${i}`, created: new Date(Date.UTC(2024, 0, 1 + (i % 50))).toISOString(), labels: { 'werf-image-name': 'app', other: 'x' } }));
    await bulkSeed(reg.url, 'bulk/big', imgs, { concurrency: 16 });
    console.log('seed ms', Date.now() - t);
    const { execFileSync } = await import('node:child_process');
    for (const m of ['HEAD','GET','HEAD']) console.log(execFileSync('node', ['/tmp/exp/floor.mjs', reg.url, 'bulk/big', '5000', m]).toString());
    for (const withConfig of [false, true, true]) {
      t = Date.now();
      let batches = 0; let rows = 0;
      const stats = await listInventory({ imagesRepo: `${reg.host}/bulk/big`, implementation: 'auto', mode: 'auto', images: [], withConfig }, {
        credential: null, settings: { registry: reg.host, plainHttp: true }, cacheDir: '/tmp/exp/cache-' + process.pid, signal: new AbortController().signal,
        onRows: (r) => { batches++; rows += r.length; }, onProgress: () => {},
      });
      console.log(withConfig, Date.now() - t, batches, rows, JSON.stringify(stats).slice(0, 600));
    }
  } finally { await reg.stop(); }
}, 120_000);
