import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompressPlugin } from './precompress-plugin.ts';
import { recipeValidatorPlugin } from './recipe-validator-plugin.ts';
import { unusedThemes } from './unused-themes-postcss.ts';

// The portal is built into web/dist and served by `herd serve` (src/api/portal-pages.ts) from the same
// origin as the API, so it needs no CORS and its CSP can say 'self' for everything.
// `vite build --ssr` (the second half of `npm run build:web`) builds the home page's server renderer
// (src/entry-server.tsx) into dist/.server/entry-server-HASH.js, which the service loads (src/api/home-render.ts) and never
// serves (portalPages answers no dot folder). It bundles its dependencies: PatternFly's modules import
// CSS files, which Node cannot load, and the service then needs nothing from web's dependencies at run time.
export default defineConfig(({ isSsrBuild }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: isSsrBuild ? [react(), recipeValidatorPlugin()] : [react(), recipeValidatorPlugin(), precompressPlugin()],
  css: { postcss: { plugins: [unusedThemes()] } },
  ssr: { noExternal: true },
  // the server bundle runs under `herd serve`, which sets no NODE_ENV: React's production build, not its checks and warnings
  define: isSsrBuild ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  build: isSsrBuild
    ? { outDir: 'dist/.server', emptyOutDir: false, copyPublicDir: false, sourcemap: false, rollupOptions: { input: fileURLToPath(new URL('src/entry-server.tsx', import.meta.url)), output: { entryFileNames: 'entry-server-[hash].js', format: 'es' } } }
    : { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/artifacts': 'http://127.0.0.1:8080', '/feeds': 'http://127.0.0.1:8080', '/keys': 'http://127.0.0.1:8080' } },
}));
