// A plain Vite build of the playground; only what a static host needs lands in ../dist.
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative URLs: dist works from any folder of any static host.
  base: './',
  build: {
    // Top-level await in weft's entry (it instantiates its wasm once).
    target: 'es2022',
    outDir: '../dist',
    emptyOutDir: true,
    // The wasm stays a file (CSP: no data: scripts), and so does everything else.
    assetsInlineLimit: 0,
    // Unminified: weft names a traced task after its function, and the listings are the source.
    minify: false,
  },
  server: {
    // The listings import the Rust twins from ../src/twins.
    fs: { allow: ['..'] },
  },
});
