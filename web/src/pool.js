// The worker pool's JavaScript, both halves in one file.
//
// On the page, weft's Rust imports `startWorker`, `postJob` and `stopWorker` from it. The same
// file is also each worker's entry script: wasm-bindgen copies it next to the glue as a snippet,
// so `new Worker(import.meta.url)` starts a same-origin module worker. No blob: URL and no eval,
// so a strict Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval') allows it.
//
// Messages, page -> worker: {kind: 'init', module, glueUrl} once, then {kind: 'job', name, inputs}
//   or {kind: 'module', url, name, args} (a function of the app's own ES module).
// Worker -> page: {kind: 'ready'} | {kind: 'failed', message}
//   | {kind: 'done', outputs} | {kind: 'unknown'}
//   | {kind: 'crashed', outputs, message, panicked, rest}
//   | {kind: 'value', value} | {kind: 'threw', error}   (module jobs)
// `outputs` holds one Uint8Array per finished item, or {error} for an argument that did not decode.
// Every Uint8Array's buffer is transferred, never copied by structured clone.
// The page hands each message to Rust as onMessage(code, value): a number and the one value
// Rust needs, so the hot path ('done') costs no property lookups from wasm.

const WORKER_NAME = 'weft-pool-worker';
const READY = 0, DONE = 1, UNKNOWN = 2, CRASHED = 3, FAILED = 4, VALUE = 5, THREW = 6;

// ---- the bundler hook ------------------------------------------------------------------------
// A bundler (Vite, webpack) inlines the glue and this file into the app's chunk: then
// `import.meta.url` is that chunk, not a worker script. A package that is bundled sets a factory
// that starts its own worker entry, written as `new Worker(new URL('./worker.js',
// import.meta.url), { type: 'module', name: 'weft-pool-worker' })` so the bundler emits it; that
// entry imports the glue statically and leaves its namespace under GLUE_KEY for the code below.
let workerFactory = null;
const GLUE_KEY = Symbol.for('weft.workerGlue');

/** Pool workers come from `factory()` from now on (`null`: this file again). */
export function setWorkerFactory(factory) {
  workerFactory = factory;
}

/** Starts a worker that will instantiate `module` through the glue at `glueUrl`. */
export function startWorker(module, glueUrl, onMessage) {
  const worker = workerFactory !== null
    ? workerFactory()
    : new Worker(new URL(import.meta.url), { type: 'module', name: WORKER_NAME });
  worker.onmessage = ({ data }) => {
    switch (data.kind) {
      case 'done': return onMessage(DONE, data.outputs);
      case 'ready': return onMessage(READY, null);
      case 'unknown': return onMessage(UNKNOWN, null);
      case 'crashed': return onMessage(CRASHED, data);
      case 'value': return onMessage(VALUE, data.value);
      case 'threw': return onMessage(THREW, data.error);
      default: return onMessage(FAILED, String(data.message));
    }
  };
  // A worker script that fails to load or throws at the top level only fires `error` here.
  worker.onerror = (event) => {
    event.preventDefault();
    onMessage(FAILED, event.message || 'the worker script failed to load');
  };
  worker.onmessageerror = () => {
    onMessage(FAILED, 'a message from the worker could not be deserialized');
  };
  worker.postMessage({ kind: 'init', module, glueUrl });
  return worker;
}

/** Posts one job; the input buffers move to the worker. */
export function postJob(worker, name, inputs) {
  worker.postMessage({ kind: 'job', name, inputs }, inputs.map((input) => input.buffer));
}

/** Posts a call of `name(...args)` from the module at `url`; `transfer` buffers move. */
export function postModuleJob(worker, url, name, args, transfer) {
  worker.postMessage({ kind: 'module', url, name, args }, transfer ?? []);
}

/**
 * The buffers to move back with a module function's result: the result itself if it is an
 * ArrayBuffer or a view of one, or such values one level inside an array or plain object.
 */
function buffersIn(value) {
  const found = new Set();
  const take = (v) => {
    if (v instanceof ArrayBuffer) found.add(v);
    else if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) found.add(v.buffer);
  };
  take(value);
  if (Array.isArray(value)) value.forEach(take);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    Object.values(value).forEach(take);
  }
  return [...found];
}

export function stopWorker(worker) {
  worker.onmessage = worker.onerror = worker.onmessageerror = null;
  worker.terminate();
}

// ---- inside a pool worker --------------------------------------------------------------------

let panicMessage = null;

/** Called by weft's panic hook inside a worker, just before the panic aborts the instance. */
export function notePanic(message) {
  panicMessage = message;
}

// The glue imports this file too; in the worker that import gets this same module instance, and
// in the page (or in any other worker of the app) the name does not match, so nothing happens.
if (typeof WorkerGlobalScope !== 'undefined' && self.name === WORKER_NAME) {
  let glue = null;
  let ready = null;

  const init = async ({ module, glueUrl }) => {
    try {
      glue = self[GLUE_KEY] ?? await import(glueUrl);
      await glue.default({ module_or_path: module });
      glue.__weft_worker_start();
      self.postMessage({ kind: 'ready' });
    } catch (error) {
      self.postMessage({ kind: 'failed', message: String(error) });
    }
  };

  const functions = new Map();
  const run = ({ name, inputs }) => {
    let fn = functions.get(name);
    if (fn === undefined) {
      fn = glue['__weft_fn_' + name];
      functions.set(name, fn);
    }
    if (typeof fn !== 'function') {
      self.postMessage({ kind: 'unknown' });
      return;
    }
    const outputs = [];
    const moved = [];
    for (let i = 0; i < inputs.length; i++) {
      try {
        const output = fn(inputs[i]);
        outputs.push(output);
        moved.push(output.buffer);
      } catch (error) {
        if (typeof error === 'string') {
          outputs.push({ error }); // the argument did not decode: this instance is fine
          continue;
        }
        // A Rust panic aborts the instance (a WebAssembly.RuntimeError); any other throw from
        // inside wasm may have left it half-way too. Hand back what is done and what is left.
        const rest = inputs.slice(i + 1);
        self.postMessage({
          kind: 'crashed',
          outputs,
          message: panicMessage ?? String(error),
          panicked: panicMessage !== null,
          rest,
        }, [...moved, ...rest.map((input) => input.buffer)]);
        return;
      }
    }
    self.postMessage({ kind: 'done', outputs }, moved);
  };

  // Modules of the app's own, imported once per worker. A failed import is not cached, so a
  // later job may try again (after the worker is replaced, as a failed load crashes the job).
  const modules = new Map();
  const runModule = async ({ url, name, args }) => {
    let mod;
    try {
      if (!modules.has(url)) modules.set(url, await import(url));
      mod = modules.get(url);
    } catch (error) {
      self.postMessage({ kind: 'failed', message: `could not import ${url}: ${error}` });
      return;
    }
    const fn = mod[name];
    if (typeof fn !== 'function') {
      self.postMessage({ kind: 'unknown' });
      return;
    }
    try {
      const value = await fn(...args);
      try {
        self.postMessage({ kind: 'value', value }, buffersIn(value));
      } catch (error) {
        self.postMessage({ kind: 'threw', error: new Error(`${name} returned a value that cannot be sent back: ${error}`) });
      }
    } catch (error) {
      try {
        self.postMessage({ kind: 'threw', error });
      } catch {
        // What it threw cannot be cloned (a function, say): send its text instead.
        self.postMessage({ kind: 'threw', error: new Error(String(error)) });
      }
    }
  };

  self.onmessage = ({ data }) => {
    if (data.kind === 'init') {
      ready = init(data);
    } else if (data.kind === 'module') {
      ready.then(() => runModule(data));
    } else if (data.kind === 'job') {
      // Jobs wait for the instance; the page sends the first only after 'ready' anyway.
      ready.then(() => run(data));
    }
  };
}
