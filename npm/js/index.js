// The package entry: instantiate weft's wasm once, give it the error classes, re-export.
// The wasm URL is written as `new URL(..., import.meta.url)` so bundlers (Vite, webpack) find
// and emit it; no network access besides that one file, no eval.
import init, * as wasm from './weft.js';
import * as errors from './errors.js';

await init({ module_or_path: new URL('./weft_bg.wasm', import.meta.url) });
wasm.__setErrorClasses(errors);

export {
  WeftError, TimeoutError, AbortError, RetryError, WorkerError, ClosedError, GroupError,
} from './errors.js';
export const {
  sleep, timeout, gather, asCompleted, wait, race, firstOk, mapConcurrent, retry, pipeline, batch,
  TaskGroup, Semaphore, RateLimiter, Queue, PriorityQueue, Pool, Recorder,
} = wasm;

// `for await (const [i, value] of asCompleted(tasks))`: the iterator is its own async iterable.
wasm.AsCompleted.prototype[Symbol.asyncIterator] = function () { return this; };

// `for await (const item of queue)`: gets until the queue is closed and drained.
for (const Q of [wasm.Queue, wasm.PriorityQueue]) {
  Q.prototype[Symbol.asyncIterator] = async function* () {
    for (;;) {
      try {
        yield await this.get();
      } catch (error) {
        if (error instanceof errors.ClosedError) return;
        throw error;
      }
    }
  };
}

/**
 * p-limit's shape: `const run = limit(4); await run(signal => fetch(url, { signal }))`, with
 * `activeCount`, `pendingCount` and `concurrency`. The limit is a weft semaphore (Rust).
 */
export function limit(concurrency) {
  const semaphore = wasm.__limit(concurrency);
  const run = (task, options) => semaphore.run(task, options);
  return Object.defineProperties(run, {
    activeCount: { get: () => semaphore.active },
    pendingCount: { get: () => semaphore.waiting },
    concurrency: { value: concurrency },
  });
}
