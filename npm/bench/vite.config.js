// A plain Vite build, as for the consumer app: the package must need nothing special.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    // Top-level await in the package's entry (it instantiates its wasm once).
    target: 'es2022',
  },
});
