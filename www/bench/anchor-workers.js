// The anchors' worker scripts for W1/W2, each doing the same tiny job (x => x + 1):
// a module worker exposing it through Comlink. (workerpool's is workerpool-worker.js: it loads
// workerpool's classic build with importScripts, so it cannot be a module worker.)
import * as Comlink from '../node_modules/comlink/dist/esm/comlink.mjs';

Comlink.expose({ tiny: (x) => x + 1 });
