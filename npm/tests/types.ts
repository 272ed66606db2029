// A consumer of every export, compiled with `tsc --strict --noEmit` by `cargo xtask npm --test`:
// the types must accept what the README shows and infer the values' types. Never run.
import {
  AbortError, ClosedError, GroupError, RetryError, TimeoutError, WeftError, WorkerError,
  Pool, PriorityQueue, Queue, RateLimiter, Recorder, Semaphore, TaskGroup,
  asCompleted, batch, firstOk, gather, limit, mapConcurrent, pipeline, race, retry, sleep,
  timeout, wait,
} from '../index.js';
import type {
  Lease, Limit, PendingTask, PipelineStats, PoolStatus, Progress, RetryInfo, Settled, SlowPoll,
  Span, Task, Waited,
} from '../index.js';

// Compile-time equality: `expect<T>()(value)` fails unless `value` is exactly a `T`.
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
function expect<T>() {
  return <V>(value: V & (Equal<V, T> extends true ? unknown : never)): V => value;
}

const controller = new AbortController();
const signal = controller.signal;
const fetchNumber: Task<number> = async (s: AbortSignal) => (s.aborted ? 0 : 1);
const fetchText = (s: AbortSignal): Promise<string> => Promise.resolve(s.aborted ? '' : 'text');

export async function everyExport(): Promise<void> {
  // sleep, timeout
  expect<void>()(await sleep(10, { signal }));
  expect<number>()(await timeout(fetchNumber, 100));
  expect<number | null>()(await timeout(fetchNumber, 100, { fallback: null }));

  // gather
  expect<number[]>()(await gather([fetchNumber, Promise.resolve(2)]));
  expect<Settled<string>[]>()(await gather([fetchText], { settle: true, signal }));

  // asCompleted
  for await (const pair of asCompleted([fetchNumber, fetchNumber])) expect<[number, number]>()(pair);
  for await (const [, outcome] of asCompleted([fetchText], { settle: true })) {
    if (outcome.status === 'fulfilled') expect<string>()(outcome.value);
  }

  // wait
  const waited = await wait([fetchNumber, fetchNumber], { returnWhen: 'FIRST_COMPLETED', timeout: 50, signal });
  expect<Waited<number>>()(waited);
  for (const task of waited.pending) {
    expect<PendingTask<number>>()(task);
    expect<number>()(task.index);
    task.cancel();
    expect<number>()(await task);
    expect<number>()(await task.promise);
  }

  // race, firstOk
  expect<[number, string]>()(await race([fetchText, fetchText], { signal }));
  expect<[number, number]>()(await firstOk([fetchNumber]));

  // TaskGroup
  const group = new TaskGroup<number>();
  expect<boolean>()(group.spawn(fetchNumber));
  expect<number[]>()(await group.join({ signal }));

  // Semaphore, limit
  const semaphore = new Semaphore(2);
  const release = await semaphore.acquire({ signal });
  release();
  semaphore.tryAcquire()?.();
  expect<string>()(await semaphore.run(fetchText));
  expect<number>()(semaphore.available + semaphore.active + semaphore.waiting);
  const run: Limit = limit(4);
  expect<string>()(await run(fetchText));
  expect<1 | 2>()(await run((s) => (s.aborted ? 1 : 2), { signal }));
  expect<number>()(run.activeCount + run.pendingCount + run.concurrency);

  // mapConcurrent
  expect<string[]>()(await mapConcurrent([1, 2, 3], async (n, index, s) => `${n}${index}${s.aborted}`, { concurrency: 2 }));
  expect<Settled<number>[]>()(await mapConcurrent(new Set(['a']), (x) => x.length, { settle: true, ordered: false }));

  // RateLimiter
  const limiter = new RateLimiter({ max: 5, per: 1000, burst: 2 });
  await limiter.acquire({ signal });
  expect<boolean>()(limiter.tryAcquire());
  expect<number>()(await limiter.run(fetchNumber));

  // retry
  const onRetry = (info: RetryInfo) => { expect<number>()(info.attempt + info.delay + info.elapsed); };
  expect<string>()(await retry(fetchText, {
    attempts: 5, minDelay: 100, maxDelay: 2000, factor: 2, jitter: 'full',
    retryIf: (error) => !(error instanceof TypeError), onRetry, deadline: 10_000, signal,
  }));
  try {
    await retry(fetchText);
  } catch (error) {
    if (error instanceof RetryError) expect<number>()(error.attempts);
  }

  // Queue, PriorityQueue
  const queue = new Queue<string>({ capacity: 10 });
  await queue.put('a', { signal });
  expect<boolean>()(queue.tryPut('b'));
  expect<string>()(await queue.get());
  expect<string | undefined>()(queue.tryGet());
  queue.taskDone();
  await queue.join();
  expect<boolean>()(queue.close());
  expect<number>()(queue.size + queue.unfinished + queue.capacity);
  for await (const item of queue) expect<string>()(item);
  const jobs = new PriorityQueue<{ id: number }>();
  await jobs.put({ id: 1 }, { priority: 3, signal });
  jobs.tryPut({ id: 2 }, { priority: -1 });
  expect<{ id: number }>()(await jobs.get());

  // pipeline
  const pipe = pipeline(async (url: string, s: AbortSignal) => fetch(url, { signal: s }), { workers: 3, capacity: 10 });
  await pipe.submit('/a', { signal });
  expect<boolean>()(pipe.close());
  expect<PipelineStats>()(await pipe.join());
  expect<number>()(pipe.queued);

  // batch
  const onProgress = (p: Progress) => { expect<number | null>()(p.eta); };
  const batches = await batch([1, 2, 3], async (items, index, s) => items.length + index + Number(s.aborted), {
    size: 2, concurrency: 2, pause: 10, onProgress, signal,
  });
  expect<Settled<number>[]>()(batches);

  // Pool
  const pool = new Pool<{ query(sql: string): Promise<string> }>({
    create: async () => ({ query: async (sql: string) => sql }),
    check: async (conn) => typeof conn.query === 'function',
    destroy: () => undefined,
    min: 1, max: 5, acquireTimeout: 5000,
  });
  const lease = await pool.acquire({ signal });
  expect<Lease<{ query(sql: string): Promise<string> }>>()(lease);
  expect<string>()(await lease.value.query('select 1'));
  lease.release();
  lease.discard();
  expect<string>()(await pool.use((conn, s) => conn.query(String(s.aborted))));
  expect<PoolStatus>()(pool.status());
  await pool.close();

  // Recorder
  const recorder = new Recorder({ capacity: 1000, slowPoll: 10, pollsPerSpan: 8 });
  recorder.start();
  expect<boolean>()(recorder.recording);
  expect<number>()(await recorder.trace('load', fetchNumber, { signal }));
  recorder.stop();
  expect<Span[]>()(recorder.spans());
  expect<SlowPoll[]>()(recorder.warnings());
  expect<string>()(recorder.chromeTrace());

  // The errors
  for (const error of [new WeftError('w'), new AbortError('a'), new WorkerError('k'), new ClosedError('c')]) {
    expect<string>()(error.name);
  }
  const late = new TimeoutError('t');
  expect<number>()(late.timeout);
  const many = new GroupError('g');
  expect<unknown[]>()(many.errors);
  expect<number[]>()(many.indexes);
}

// Misuse the types must reject (each line would fail to compile without its directive).
export function misuse(): void {
  // @ts-expect-error a task must be a function of a signal or a promise
  void gather([1, 2]);
  // @ts-expect-error the limit is a number
  limit('4');
  // @ts-expect-error returnWhen is one of three strings
  void wait([fetchNumber], { returnWhen: 'FIRST' });
  // @ts-expect-error jitter is one of four strings
  void retry(fetchNumber, { jitter: 'random' });
  // @ts-expect-error a RateLimiter needs max and per
  new RateLimiter({ max: 1 });
  // @ts-expect-error a Pool needs create
  new Pool({ max: 2 });
  // @ts-expect-error the queue holds strings
  void new Queue<string>().put(1);
}
