// Renders build/icon.svg to the PNG sizes Linux desktop files and electron-builder use
// (build/icons/<N>x<N>.png), with Debian's Chromium. Run after editing the SVG; the PNGs are committed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = fileURLToPath(new URL('..', import.meta.url));
const svg = readFileSync(`${root}/build/icon.svg`, 'utf8');
const executablePath = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', `width="${size}" height="${size}"`)}</body></html>`);
    await page.locator('svg').screenshot({ path: `${root}/build/icons/${size}x${size}.png`, omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
