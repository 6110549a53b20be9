import { test } from 'vitest';
import { startDistribution, seedImages } from './distribution';
test('bench', async () => {
  const reg = await startDistribution();
  for (const c of [8, 16, 32]) {
    const tags = Array.from({ length: 400 }, (_, i) => `c${c}-${i}`);
    const t0 = Date.now();
    await seedImages(reg.url, `bench${c}/app`, tags, { distinct: true, concurrency: c });
    console.log(c, Date.now() - t0, 'ms for 400');
  }
  await reg.stop();
}, 120_000);
