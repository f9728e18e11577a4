/**
 * Builds the dashboard into `dist/dashboard/`, which the server serves at `/`.
 * Run from the repository root: `vite build --config dashboard/vite.config.ts`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './compress.js';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    // `npm run dev:dashboard`-style use: proxy the API to a server started separately.
    proxy: { '/api': process.env.GANTRY_API ?? 'http://127.0.0.1:8080' },
  },
});
