import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompressPlugin } from './precompress-plugin.ts';
import { recipeValidatorPlugin } from './recipe-validator-plugin.ts';
import { unusedThemes } from './unused-themes-postcss.ts';

// The portal is built into web/dist and served by `herd serve` (src/api/portal-pages.ts) from the same
// origin as the API, so it needs no CORS and its CSP can say 'self' for everything.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), recipeValidatorPlugin(), precompressPlugin()],
  css: { postcss: { plugins: [unusedThemes()] } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/artifacts': 'http://127.0.0.1:8080', '/feeds': 'http://127.0.0.1:8080', '/keys': 'http://127.0.0.1:8080' } },
});
