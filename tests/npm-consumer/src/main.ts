// Exercises every export of the npm package from a real app, typed under tsc --strict.
// Each check returns nothing or throws; the page reports which passed.
import {
  AbortError, ClosedError, GroupError, RetryError, TimeoutError, WeftError, WorkerError,
  Pool, PriorityQueue, Queue, RateLimiter, Recorder, Semaphore, TaskGroup, WorkerPool,
  asCompleted, batch, firstOk, gather, limit, mapConcurrent, pipeline, race, retry, sleep,
  timeout, wait,
} from 'weft';
import type { Settled, Task } from 'weft';
import type * as Tasks from './tasks.js';

type Check = [name: string, run: () => Promise<void>];

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const checks: Check[] = [
  ['sleep waits', async () => {
    const start = performance.now();
    await sleep(20);
    assert(performance.now() - start >= 19.5, 'slept too little');
  }],
  ['gather keeps order and settles', async () => {
    const tasks: Task<number>[] = [30, 10, 20].map((ms) => async (signal: AbortSignal) => {
      await sleep(ms, { signal });
      return ms;
    });
    const values: number[] = await gather(tasks);
    assert(values.join() === '30,10,20', `got ${values.join()}`);
    const settled: Settled<number>[] = await gather([async () => 1, async () => { throw new Error('x'); }], { settle: true });
    assert(settled[0]?.status === 'fulfilled' && settled[1]?.status === 'rejected', 'settle');
  }],
  ['timeout rejects with TimeoutError and aborts the task', async () => {
    let aborted = false;
    try {
      await timeout((signal) => new Promise<never>(() => { signal.addEventListener('abort', () => { aborted = true; }); }), 10);
      throw new Error('resolved');
    } catch (error) {
      assert(error instanceof TimeoutError && error instanceof WeftError, `not a TimeoutError: ${error}`);
      assert(error.timeout === 10, 'timeout field');
    }
    assert(aborted, 'the task was not aborted');
  }],
  ['an aborted signal rejects with its reason', async () => {
    const reason = new Error('stop');
    try {
      await sleep(10, { signal: AbortSignal.abort(reason) });
      throw new Error('resolved');
    } catch (error) {
      assert(error === reason, 'not the reason');
    }
  }],
  ['a cancelled task is aborted with an AbortError', async () => {
    const listening = (signal: AbortSignal) => new Promise<number>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason));
    });
    const { pending } = await wait([async () => 1, listening], { returnWhen: 'FIRST_COMPLETED' });
    const [task] = pending;
    assert(task, 'one pending');
    task.cancel();
    const reason: unknown = await task.promise.then(() => null, (e: unknown) => e);
    assert(reason instanceof AbortError, `not an AbortError: ${String(reason)}`);
  }],
  ['asCompleted yields in finish order', async () => {
    const order: number[] = [];
    for await (const [index] of asCompleted([() => sleep(30).then(() => 'a'), () => sleep(5).then(() => 'b')])) {
      order.push(index);
    }
    assert(order.join() === '1,0', `got ${order.join()}`);
  }],
  ['race and firstOk; GroupError when every task fails', async () => {
    const [winner, value] = await race([() => sleep(30).then(() => 'slow'), () => sleep(1).then(() => 'fast')]);
    assert(winner === 1 && value === 'fast', 'race');
    const [ok] = await firstOk([async () => { throw new Error('x'); }, async () => 2]);
    assert(ok === 1, 'firstOk');
    const all: unknown = await firstOk([async () => { throw new Error('a'); }]).catch((e: unknown) => e);
    assert(all instanceof GroupError && all.errors.length === 1, 'GroupError');
  }],
  ['TaskGroup joins its children', async () => {
    const group = new TaskGroup<number>();
    group.spawn(async () => 1);
    group.spawn(() => sleep(5).then(() => 2));
    const values = await group.join();
    assert(values.join() === '1,2', `got ${values.join()}`);
    const again: unknown = await group.join().catch((e: unknown) => e);
    assert(again instanceof ClosedError, 'a second join is a ClosedError');
  }],
  ['Semaphore, limit and mapConcurrent keep to their limits', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    assert(semaphore.tryAcquire() === undefined, 'no second permit');
    release();
    const run = limit(2);
    let inFlight = 0;
    let most = 0;
    const job = async () => { inFlight += 1; most = Math.max(most, inFlight); await sleep(3); inFlight -= 1; };
    await Promise.all([1, 2, 3, 4].map(() => run(job)));
    const doubled = await mapConcurrent([1, 2, 3], async (n) => n * 2, { concurrency: 2 });
    assert(most === 2 && doubled.join() === '2,4,6', `most ${most}, ${doubled.join()}`);
    semaphore.free();
  }],
  ['RateLimiter allows max starts per window', async () => {
    const limiter = new RateLimiter({ max: 2, per: 1000 });
    assert(limiter.tryAcquire() && limiter.tryAcquire() && !limiter.tryAcquire(), 'a third start in the window');
    limiter.free();
  }],
  ['retry retries, then gives up with a RetryError', async () => {
    let tries = 0;
    const value = await retry(async () => { tries += 1; if (tries < 3) throw new Error('flaky'); return tries; }, { attempts: 5, minDelay: 1, maxDelay: 2 });
    assert(value === 3, `value ${value}`);
    const error: unknown = await retry(async () => { throw new Error('down'); }, { attempts: 2, minDelay: 1 }).catch((e: unknown) => e);
    assert(error instanceof RetryError && error.attempts === 2 && error.reason === 'attempts', 'RetryError');
  }],
  ['Queue and PriorityQueue; pipeline and batch', async () => {
    const queue = new Queue<string>({ capacity: 2 });
    await queue.put('a');
    await queue.put('b');
    queue.close();
    const got: string[] = [];
    for await (const item of queue) got.push(item);
    const priority = new PriorityQueue<string>();
    await priority.put('low', { priority: 5 });
    await priority.put('high', { priority: 1 });
    assert(got.join() === 'a,b' && (await priority.get()) === 'high', 'queues');
    const seen: number[] = [];
    const line = pipeline<number>(async (n) => { seen.push(n); }, { workers: 2, capacity: 4 });
    for (const n of [1, 2, 3]) await line.submit(n);
    line.close();
    const stats = await line.join();
    const batches = await batch([1, 2, 3, 4, 5], async (items) => items.length, { size: 2 });
    assert(stats.done === 3 && seen.length === 3, 'pipeline');
    assert(batches.map((b) => (b.status === 'fulfilled' ? b.value : -1)).join() === '2,2,1', 'batch');
  }],
  ['Pool lends at most max objects', async () => {
    let made = 0;
    const pool = new Pool({ create: async () => ({ id: ++made }), max: 1 });
    const ids = await Promise.all([1, 2, 3].map(() => pool.use(async (conn) => conn.id)));
    assert(ids.join() === '1,1,1' && made === 1, `ids ${ids.join()}`);
    await pool.close();
  }],
  ['Recorder records spans and exports a Chrome trace', async () => {
    const recorder = new Recorder();
    const value = await recorder.trace('load', async () => 7);
    assert(value === 7 && recorder.spans().some((s) => s.name === 'load'), 'a span named load');
    assert(JSON.parse(recorder.chromeTrace()) !== null, 'trace JSON');
  }],
  ['WorkerPool runs the app module on workers (bundled worker, strict CSP)', async () => {
    const pool = await WorkerPool.create<typeof Tasks>({ module: new URL('./tasks.js?no-inline', import.meta.url), size: 2 });
    const total: number = await pool.run('sum', [[1, 2, 3]]);
    const buffer = new Uint8Array(1024).fill(1).buffer;
    const back: ArrayBuffer = await pool.run('invert', [buffer], { transfer: [buffer] });
    assert(total === 6 && buffer.byteLength === 0 && new Uint8Array(back)[0] === 254, 'module jobs');
    const primes: number = await pool.run('builtin:countPrimes', [100]);
    const counts: number[] = await pool.map('builtin:countPrimes', [10, 1000]);
    assert(primes === 25 && counts.join() === '4,168', 'built-ins');
    const thrown: unknown = await pool.run('fail', ['nope']).catch((e: unknown) => e);
    assert(thrown instanceof WorkerError && thrown.kind === 'threw' && thrown.message === 'nope', 'WorkerError');
    await pool.close();
    const closed: unknown = await pool.run('sum', [[1]]).catch((e: unknown) => e);
    assert(closed instanceof ClosedError, 'ClosedError after close');
  }],
  ['WorkerPool: an AbortSignal or a timeout ends a job, and the pool goes on', async () => {
    const pool = await WorkerPool.create<typeof Tasks>({ module: new URL('./tasks.js?no-inline', import.meta.url), size: 1 });
    const controller = new AbortController();
    const stuck = pool.run('spin', [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const aborted: unknown = await stuck.catch((e: unknown) => e);
    assert(aborted instanceof DOMException && aborted.name === 'AbortError', `abort: ${String(aborted)}`);
    const late: unknown = await pool.run('spin', [], { timeout: 30 }).catch((e: unknown) => e);
    assert(late instanceof TimeoutError && late.timeout === 30, `timeout: ${String(late)}`);
    assert((await pool.run('sum', [[2, 2]])) === 4, 'the next job works');
    await pool.terminate();
  }],
];

async function main(): Promise<void> {
  const out = document.getElementById('results');
  assert(out, 'no #results');
  const passed: string[] = [];
  const failed: string[] = [];
  for (const [name, run] of checks) {
    out.textContent = `running: ${name}`; // what a hang was stuck on
    try {
      await run();
      passed.push(name);
    } catch (error) {
      failed.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  out.dataset.json = JSON.stringify({ passed, failed });
  out.textContent = [...passed.map((n) => `ok  ${n}`), ...failed.map((n) => `FAIL ${n}`)].join('\n');
  out.dataset.state = failed.length ? 'failed' : 'done';
}

void main();
