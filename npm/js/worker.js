// The entry of the package's pool workers. Started by index.js as
// `new Worker(new URL('./worker.js', import.meta.url), …)`, a form bundlers (Vite, webpack)
// recognize: they emit this file with the glue bundled into it, and the worker code in weft's
// pool.js (imported by the glue) takes the glue from here rather than importing it by URL,
// which in a bundled app would be the app's own chunk.
import * as glue from './weft.js';

self[Symbol.for('weft.workerGlue')] = glue;
