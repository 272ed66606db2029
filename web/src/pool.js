// The worker pool's JavaScript, both halves in one file.
//
// On the page, weft's Rust imports `startWorker`, `gatherJob`, `postJobs`, `postModuleJob`,
// `postSkip` and `stopWorker` from it. The same file is also each worker's entry script:
// wasm-bindgen copies it next to the glue as a snippet, so `new Worker(import.meta.url)` starts a
// same-origin module worker. No blob: URL and no eval, so a strict Content-Security-Policy
// (script-src 'self' 'wasm-unsafe-eval') allows it.
//
// Messages, page -> worker:
//   {kind: 'init', module, glueUrl}                once, first
//   [name, input, name, input, ...]                Rust jobs, run in order (input: one payload, or
//                                                  an array of them for a chunk of a map)
//   {kind: 'module', url, name, args}              a function of the app's own ES module
//   {kind: 'unpostable', message}                  a job that could not be posted
//   seq (a number)                                 skip job number `seq` if it has not started
//   {kind: 'go'}                                   start the jobs behind a long one (see below)
// Worker -> page, one answer per job in the order the jobs came:
//   payload                                        a Rust job of one payload: its result
//   {kind: 'done', outputs} | {kind: 'unknown', name} | {kind: 'skipped'}
//   {kind: 'unpostable', message}
//   {kind: 'crashed', name, outputs, message, panicked, rest}   (the instance aborted; it runs
//                                                  no more)
//   {kind: 'value', value} | {kind: 'threw', error}        (module jobs)
// and {kind: 'ready'} once, or {kind: 'failed', message} when the worker cannot go on;
// {kind: 'gate'} after the answer of a job that ran for a millisecond or more: the worker starts
// nothing more until the page, having read that answer, says {kind: 'go'}.
// A payload is a number (up to 6 bytes), a string (one character per byte) or, when large, a
// Uint8Array whose buffer is transferred, never copied (see payload.rs). `outputs` holds one payload per finished item, or
// {error} for an argument that did not decode.
// The page hands each message to Rust as onMessage(code, value): a number and the one value Rust
// needs, so the hot path (a bare payload) costs no property lookups from wasm; a bare number as
// onNumber(number), which crosses into wasm as a plain double.

const WORKER_NAME = 'weft-pool-worker';
const READY = 0, DONE = 1, UNKNOWN = 2, CRASHED = 3, FAILED = 4, VALUE = 5, THREW = 6,
  OUTPUT = 7, SKIPPED = 8, UNPOSTABLE = 9;

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
export function startWorker(module, glueUrl, onMessage, onNumber) {
  const worker = workerFactory !== null
    ? workerFactory()
    : new Worker(new URL(import.meta.url), { type: 'module', name: WORKER_NAME });
  worker.onmessage = ({ data }) => {
    if (typeof data === 'number') return onNumber(data);
    if (typeof data === 'string' || data instanceof Uint8Array) return onMessage(OUTPUT, data);
    switch (data.kind) {
      case 'done': return onMessage(DONE, data.outputs);
      case 'skipped': return onMessage(SKIPPED, null);
      // The answer before it has been handled (and any skip it called for posted): go on. A
      // worker the pool gave up on is terminated before this, so it never hears `go`.
      case 'gate': return worker.postMessage({ kind: 'go' });
      case 'unpostable': return onMessage(UNPOSTABLE, data.message);
      case 'ready': return onMessage(READY, null);
      case 'unknown': return onMessage(UNKNOWN, data.name);
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

/** The buffers of the Uint8Array payloads in `input` (one payload or an array of them). */
function buffersOf(input) {
  if (input instanceof Uint8Array) return [input.buffer];
  if (Array.isArray(input)) return input.filter((i) => i instanceof Uint8Array).map((i) => i.buffer);
  return [];
}

// A job that cannot be posted (a value that cannot be cloned, a buffer already moved away) is
// posted as {kind: 'unpostable', message} instead, which the worker answers in its turn: answers
// stay in order, and the job fails alone.
const unpostable = (worker, error) => worker.postMessage({ kind: 'unpostable', message: String(error) });

// Rust jobs gathered for the next `postJobs`: name, input, name, input…
let gathered = [];

/** Adds a Rust job to the next message. */
export function gatherJob(name, input) {
  gathered.push(name, input);
}

/** Adds a Rust job whose payload is a number to the next message. */
export function gatherJobNumber(name, input) {
  gathered.push(name, input);
}

/** Posts the gathered Rust jobs to `worker`, as one message; their Uint8Array payloads move. */
export function postJobs(worker) {
  const jobs = gathered;
  gathered = [];
  let moved = [];
  for (let i = 1; i < jobs.length; i += 2) {
    if (typeof jobs[i] === 'object') moved = moved.concat(buffersOf(jobs[i]));
  }
  try {
    worker.postMessage(jobs, moved);
  } catch (error) {
    if (jobs.length === 2) return unpostable(worker, error);
    for (let i = 0; i < jobs.length; i += 2) {
      gathered.push(jobs[i], jobs[i + 1]);
      postJobs(worker);
    }
  }
}

/** Posts a call of `name(...args)` from the module at `url`; `transfer` buffers move. */
export function postModuleJob(worker, url, name, args, transfer) {
  try {
    worker.postMessage({ kind: 'module', url, name, args }, transfer ?? []);
  } catch (error) {
    unpostable(worker, error);
  }
}

/** Asks the worker not to start job number `seq` (its caller gave up while it waited). */
export function postSkip(worker, seq) {
  worker.postMessage(seq);
}

export function stopWorker(worker) {
  worker.onmessage = worker.onerror = worker.onmessageerror = null;
  worker.terminate();
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
  const functions = new Map();
  const modules = new Map();

  // Jobs in the order they came, not started yet: {seq, name, input}, {seq, module} or
  // {seq, unpostable}.
  const waiting = [];
  let received = 0; // how many jobs came: the next one's number
  const skipped = new Set(); // numbers of waiting jobs the page gave up on
  let busy = true; // until the instance is up; then while a module job awaits
  let dead = false; // the instance aborted: nothing more runs here
  // After a job of a millisecond or more, the worker starts nothing until the page, having read
  // its answer, says 'go'. So a skip the page sent meanwhile is read before the next job starts,
  // and when the page gives up on a long job (a timeout, a cancellation) and terminates this
  // worker, nothing behind it has started: those jobs run on the next worker, once. A tiny job
  // does not wait: the round trip would cost more than the job, and the page, which gives a
  // running job a grace period before terminating its worker, hears its answer in that time.
  const GATE_AFTER_MS = 1;
  let gated = false;
  const gateAfter = (began) => {
    if (!dead && performance.now() - began >= GATE_AFTER_MS) {
      gated = true;
      self.postMessage({ kind: 'gate' });
    }
  };

  const init = async ({ module, glueUrl }) => {
    try {
      glue = self[GLUE_KEY] ?? await import(glueUrl);
      await glue.default({ module_or_path: module });
      glue.__weft_worker_start();
      self.postMessage({ kind: 'ready' });
      busy = false;
      drain();
    } catch (error) {
      self.postMessage({ kind: 'failed', message: String(error) });
    }
  };

  /** Runs waiting jobs in order until one is a module job that awaits, or a long one gates. */
  function drain() {
    while (!busy && !dead && !gated && waiting.length > 0) {
      const job = waiting.shift();
      if (skipped.delete(job.seq)) {
        self.postMessage({ kind: 'skipped' });
        continue;
      }
      if (job.unpostable) {
        self.postMessage(job.unpostable);
        continue;
      }
      const began = performance.now();
      if (job.module) {
        busy = true;
        runModule(job.module).finally(() => {
          busy = false;
          gateAfter(began);
          drain();
        });
        return;
      }
      run(job.name, job.input);
      gateAfter(began);
    }
  }

  const call = (fn, input, outputs, moved) => {
    const output = fn(input);
    outputs.push(output);
    if (output instanceof Uint8Array) moved.push(output.buffer);
  };

  /** Runs one Rust job: one payload (answered bare) or a chunk (answered with {outputs}). */
  function run(name, input) {
    let fn = functions.get(name);
    if (fn === undefined) {
      fn = glue['__weft_fn_' + name];
      functions.set(name, fn);
    }
    if (typeof fn !== 'function') {
      self.postMessage({ kind: 'unknown', name });
      return;
    }
    const inputs = Array.isArray(input) ? input : [input];
    const outputs = [];
    const moved = [];
    for (let i = 0; i < inputs.length; i++) {
      try {
        call(fn, inputs[i], outputs, moved);
      } catch (error) {
        if (typeof error === 'string') {
          outputs.push({ error }); // the argument did not decode: this instance is fine
          continue;
        }
        // A Rust panic aborts the instance (a WebAssembly.RuntimeError); any other throw from
        // inside wasm may have left it half-way too. Hand back what is done and what is left;
        // the jobs behind this one run on the worker that replaces this one.
        dead = true;
        waiting.length = 0;
        const rest = inputs.slice(i + 1);
        self.postMessage({
          kind: 'crashed',
          name,
          outputs,
          message: panicMessage ?? String(error),
          panicked: panicMessage !== null,
          rest,
        }, [...moved, ...rest.flatMap(buffersOf)]);
        return;
      }
    }
    const [first] = outputs;
    if (!Array.isArray(input) && (typeof first !== 'object' || first instanceof Uint8Array)) {
      self.postMessage(first, moved);
    } else {
      self.postMessage({ kind: 'done', outputs }, moved);
    }
  }

  // Modules of the app's own, imported once per worker. A failed import is not cached, so a
  // later job may try again (after the worker is replaced, as a failed load crashes the job).
  async function runModule({ url, name, args }) {
    let mod;
    try {
      if (!modules.has(url)) modules.set(url, await import(url));
      mod = modules.get(url);
    } catch (error) {
      dead = true;
      self.postMessage({ kind: 'failed', message: `could not import ${url}: ${error}` });
      return;
    }
    const fn = mod[name];
    if (typeof fn !== 'function') {
      self.postMessage({ kind: 'unknown', name: `${name} (not a function exported by ${url})` });
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
  }

  self.onmessage = ({ data }) => {
    if (Array.isArray(data)) {
      for (let i = 0; i < data.length; i += 2) {
        waiting.push({ seq: received++, name: data[i], input: data[i + 1] });
      }
      drain();
    } else if (typeof data === 'number') {
      // Only a job still waiting can be skipped; a late word about one that ran is dropped.
      if (waiting.length > 0 && data >= waiting[0].seq) skipped.add(data);
    } else if (data.kind === 'go') {
      gated = false;
      drain();
    } else if (data.kind === 'module') {
      waiting.push({ seq: received++, module: data });
      drain();
    } else if (data.kind === 'unpostable') {
      waiting.push({ seq: received++, unpostable: data });
      drain();
    } else if (data.kind === 'init') {
      init(data);
    }
  };
}
