// A plain Vite build, nothing weft-specific: the package must work with the defaults.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    // Top-level await in the package's entry (it instantiates its wasm once).
    target: 'es2022',
  },
});
