// The package entry: instantiate weft's wasm once, give it the error classes, re-export.
// The wasm URL is written as `new URL(..., import.meta.url)` so bundlers (Vite, webpack) find
// and emit it; no network access besides that one file, no eval.
import init, * as wasm from './weft.js';
import * as errors from './errors.js';

await init({ module_or_path: new URL('./weft_bg.wasm', import.meta.url) });
wasm.__setErrorClasses(errors);

export { WeftError, TimeoutError, AbortError, RetryError, WorkerError } from './errors.js';
export const { sleep, timeout, gather } = wasm;
