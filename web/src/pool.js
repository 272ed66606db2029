// The worker pool's JavaScript, both halves in one file.
//
// On the page, weft's Rust imports `startWorker`, `postJob` and `stopWorker` from it. The same
// file is also each worker's entry script: wasm-bindgen copies it next to the glue as a snippet,
// so `new Worker(import.meta.url)` starts a same-origin module worker. No blob: URL and no eval,
// so a strict Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval') allows it.
//
// Messages, page -> worker: {kind: 'init', module, glueUrl} once, then {kind: 'job', name, inputs}.
// Worker -> page: {kind: 'ready'} | {kind: 'failed', message}
//   | {kind: 'done', outputs} | {kind: 'unknown'}
//   | {kind: 'crashed', outputs, message, panicked, rest}
// `outputs` holds one Uint8Array per finished item, or {error} for an argument that did not decode.
// Every Uint8Array's buffer is transferred, never copied by structured clone.
// The page hands each message to Rust as onMessage(code, value): a number and the one value
// Rust needs, so the hot path ('done') costs no property lookups from wasm.

const WORKER_NAME = 'weft-pool-worker';
const READY = 0, DONE = 1, UNKNOWN = 2, CRASHED = 3, FAILED = 4;

/** Starts a worker that will instantiate `module` through the glue at `glueUrl`. */
export function startWorker(module, glueUrl, onMessage) {
  const worker = new Worker(new URL(import.meta.url), { type: 'module', name: WORKER_NAME });
  worker.onmessage = ({ data }) => {
    switch (data.kind) {
      case 'done': return onMessage(DONE, data.outputs);
      case 'ready': return onMessage(READY, null);
      case 'unknown': return onMessage(UNKNOWN, null);
      case 'crashed': return onMessage(CRASHED, data);
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
      glue = await import(glueUrl);
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

  self.onmessage = ({ data }) => {
    if (data.kind === 'init') {
      ready = init(data);
    } else if (data.kind === 'job') {
      // Jobs wait for the instance; the page sends the first only after 'ready' anyway.
      ready.then(() => run(data));
    }
  };
}
