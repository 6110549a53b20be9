import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    // The CSP forbids inline scripts, so keep module preload polyfills out of index.html.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
