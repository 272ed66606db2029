/**
 * weft: Python's concurrency patterns — gather, timeouts, limits, retry, queues, pools, worker
 * pools — for browser apps, compiled from the same Rust as weft's crate.
 *
 * Tasks are functions that take an `AbortSignal`: weft aborts it when it cancels the task
 * (a sibling failed, a timeout expired, the caller aborted). A plain promise is accepted too,
 * but cannot be cancelled.
 */

/** A unit of work: called once with a signal that weft aborts if it cancels the task. */
export type Task<T> = ((signal: AbortSignal) => T | PromiseLike<T>) | PromiseLike<T>;

/** Options every waiting operation accepts. */
export interface AbortOptions {
  /** Abort the operation: it rejects with `signal.reason`; an already-aborted signal starts nothing. */
  signal?: AbortSignal;
}

/** Base class of weft's errors. */
export class WeftError extends Error {}
/** A task or call did not finish within its time limit. */
export class TimeoutError extends WeftError {
  /** The limit that passed, in milliseconds. */
  readonly timeout: number;
}
/** weft cancelled a task. */
export class AbortError extends WeftError {}
/** Why `retry` gave up: tries used up, a non-retryable error, or the deadline. */
export type RetryStopReason = 'attempts' | 'notRetryable' | 'deadline';
/** `retry` gave up; `cause` is the last error. */
export class RetryError extends WeftError {
  /** How many tries were made, the first included. */
  readonly attempts: number;
  /** Why it stopped. */
  readonly reason: RetryStopReason;
}
/** A worker-pool job failed. */
export class WorkerError extends WeftError {}
/** A put, get, submit, join or acquire on a queue, pipeline, group or pool that is closed. */
export class ClosedError extends WeftError {}
/** Several tasks failed (a TaskGroup, firstOk), like `AggregateError`; `cause` is the first. */
export class GroupError extends WeftError {
  /** Every failure, in the order they happened (firstOk: input order). */
  readonly errors: unknown[];
  /** The index of the task each failure came from. */
  readonly indexes: number[];
}

/** Resolves after `ms` milliseconds, never earlier. */
export function sleep(ms: number, options?: AbortOptions): Promise<void>;

/** Options of {@link timeout}. */
export interface TimeoutOptions<F> extends AbortOptions {
  /** Resolve with this instead of rejecting with a TimeoutError. */
  fallback?: F;
}

/**
 * The task's value, or a rejection with {@link TimeoutError} once `ms` have passed (the task's
 * signal is then aborted). `Infinity` means no limit.
 */
export function timeout<T>(task: Task<T>, ms: number, options?: TimeoutOptions<never>): Promise<T>;
export function timeout<T, F>(task: Task<T>, ms: number, options: TimeoutOptions<F> & { fallback: F }): Promise<T | F>;

/** The outcome of one task, as `Promise.allSettled` reports it. */
export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

/** Options of the calls that can report every outcome instead of failing fast. */
export interface SettleOptions extends AbortOptions {
  /** Wait for every task and report each outcome instead of rejecting on the first error. */
  settle?: boolean;
}

/** Options of {@link gather}. */
export type GatherOptions = SettleOptions;

/**
 * Runs every task concurrently; resolves with their values in input order. On the first error
 * it rejects with that error and aborts the tasks still running. With `settle: true` it waits
 * for all and resolves with each outcome (Python's `return_exceptions=True`).
 */
export function gather<T>(tasks: Iterable<Task<T>>, options?: GatherOptions & { settle?: false }): Promise<T[]>;
export function gather<T>(tasks: Iterable<Task<T>>, options: GatherOptions & { settle: true }): Promise<Settled<T>[]>;

/** The async iterator {@link asCompleted} returns. */
export interface AsCompleted<T> extends AsyncIterableIterator<[number, T]> {
  next(): Promise<IteratorResult<[number, T], undefined>>;
  /** Ends the iteration early (what `break` calls): the unfinished tasks are aborted. */
  return(): Promise<IteratorResult<[number, T], undefined>>;
  [Symbol.asyncIterator](): AsCompleted<T>;
}

/**
 * Starts every task and yields `[index, value]` as each finishes (finish order). A rejection
 * rejects the iteration and aborts the rest; leaving a `for await` loop early aborts the
 * unfinished tasks; so does the signal. With `settle: true` each outcome is yielded instead.
 * Throws TypeError at once for bad arguments.
 */
export function asCompleted<T>(tasks: Iterable<Task<T>>, options?: SettleOptions & { settle?: false }): AsCompleted<T>;
export function asCompleted<T>(tasks: Iterable<Task<T>>, options: SettleOptions & { settle: true }): AsCompleted<Settled<T>>;

/** When {@link wait} returns (asyncio's names). */
export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_ERROR' | 'ALL_COMPLETED';

/** Options of {@link wait}. */
export interface WaitOptions extends AbortOptions {
  /** Default `'ALL_COMPLETED'`. */
  returnWhen?: ReturnWhen;
  /** Return after this many ms even if `returnWhen` is not met (default: no limit). */
  timeout?: number;
}

/** A task {@link wait} handed back unfinished: still running, awaitable, cancellable. */
export interface PendingTask<T> extends PromiseLike<T> {
  /** The task's index in the input. */
  readonly index: number;
  /** The task's outcome (the same promise every time). */
  readonly promise: Promise<T>;
  /** Aborts the task's signal with `reason` (default an AbortError). */
  cancel(reason?: unknown): void;
}

/** What {@link wait} resolves with. */
export interface Waited<T> {
  /** `[index, outcome]` of every task that had finished, in finish order. */
  done: [number, Settled<T>][];
  /** The others, in input order, still running. */
  pending: PendingTask<T>[];
}

/**
 * asyncio's `wait`: resolves when the first task finishes (`FIRST_COMPLETED`), the first fails
 * (`FIRST_ERROR`), or all have (`ALL_COMPLETED`), or when `timeout` ms passed. Nothing is
 * cancelled: the unfinished tasks come back in `pending`. Aborting the signal aborts them all.
 */
export function wait<T>(tasks: Iterable<Task<T>>, options?: WaitOptions): Promise<Waited<T>>;

/**
 * `[index, value]` of the first task to settle (or its error); every other task is aborted.
 * Rejects with RangeError for no tasks.
 */
export function race<T>(tasks: Iterable<Task<T>>, options?: AbortOptions): Promise<[number, T]>;

/**
 * `[index, value]` of the first task to fulfil (the others are aborted); if every task
 * rejects, a {@link GroupError} with every error. Rejects with RangeError for no tasks.
 */
export function firstOk<T>(tasks: Iterable<Task<T>>, options?: AbortOptions): Promise<[number, T]>;

/**
 * asyncio's `TaskGroup`: `spawn` children, then `join` them. The first failure aborts the
 * siblings; `join` then rejects with a {@link GroupError} listing every failure.
 */
export class TaskGroup<T = unknown> {
  constructor();
  /**
   * Starts `task` as a child: `true` if it started, `false` if the group takes no more
   * children (a child failed, or it was joined). Throws TypeError for a non-task.
   */
  spawn(task: Task<T>): boolean;
  /** Every child's value in spawn order, or a GroupError; joins once (then ClosedError). */
  join(options?: AbortOptions): Promise<T[]>;
  free(): void;
}

/** `acquire`'s result: gives the permit back (a second call does nothing). */
export type Release = () => void;

/** asyncio's `Semaphore`: at most `permits` holders at once, first come first served. */
export class Semaphore {
  /** `permits`: a whole number from 0 to 1e9; throws TypeError / RangeError otherwise. */
  constructor(permits: number);
  /** Waits for a permit; resolves with the function that releases it. */
  acquire(options?: AbortOptions): Promise<Release>;
  /** A release function if a permit is free now (and nobody waits), else `undefined`. */
  tryAcquire(): Release | undefined;
  /** Runs the task holding a permit (the task is called once it has one). */
  run<T>(task: Task<T>, options?: AbortOptions): Promise<T>;
  /** Permits free now. */
  readonly available: number;
  /** Permits held now. */
  readonly active: number;
  /** Callers waiting for a permit. */
  readonly waiting: number;
  free(): void;
}

/** The function {@link limit} returns (p-limit's shape). */
export interface Limit {
  /** Runs the task when fewer than `concurrency` run (first come, first served). */
  <T>(task: Task<T>, options?: AbortOptions): Promise<T>;
  /** Tasks running now. */
  readonly activeCount: number;
  /** Tasks waiting for their turn. */
  readonly pendingCount: number;
  /** The limit. */
  readonly concurrency: number;
}

/** p-limit: `const run = limit(4); run(signal => fetch(url, { signal }))`. Throws for bad limits. */
export function limit(concurrency: number): Limit;

/** Options of {@link mapConcurrent}. */
export interface MapOptions extends SettleOptions {
  /** At most this many `mapper` calls in flight (whole number ≥ 1 or Infinity, the default). */
  concurrency?: number;
  /** `true` (default): results in input order; `false`: in finish order. */
  ordered?: boolean;
}

/** The mapper of {@link mapConcurrent}. */
export type Mapper<T, U> = (item: T, index: number, signal: AbortSignal) => U | PromiseLike<U>;

/**
 * p-map: `mapper(item, index, signal)` over `items` with at most `concurrency` calls in flight;
 * items are read only as slots free up. The first rejection rejects and aborts the rest (or,
 * with `settle: true`, every outcome is kept).
 */
export function mapConcurrent<T, U>(items: Iterable<T>, mapper: Mapper<T, U>, options?: MapOptions & { settle?: false }): Promise<U[]>;
export function mapConcurrent<T, U>(items: Iterable<T>, mapper: Mapper<T, U>, options: MapOptions & { settle: true }): Promise<Settled<U>[]>;

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Starts allowed per window (whole number 1 to 1e9). */
  max: number;
  /** The window, in ms (> 0). */
  per: number;
  /** At most this many starts back to back (1 to `max`, default `max`). */
  burst?: number;
}

/** At most `max` starts in ANY window of `per` ms (a sliding-window log), waiters in order. */
export class RateLimiter {
  constructor(options: RateLimiterOptions);
  /** Resolves when a start is allowed. */
  acquire(options?: AbortOptions): Promise<void>;
  /** Takes a start now if one is allowed (and nobody waits). */
  tryAcquire(): boolean;
  /** Waits for a start, then runs the task. */
  run<T>(task: Task<T>, options?: AbortOptions): Promise<T>;
  free(): void;
}

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  /** The try that just failed (1 = the first). */
  attempt: number;
  /** What it failed with. */
  error: unknown;
  /** The wait before the next try, in ms. */
  delay: number;
  /** Time since the first try started, in ms. */
  elapsed: number;
}

/** How the delays are spread: none, full (0..d), equal (d/2..d), decorrelated. */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

/** Options of {@link retry} (tenacity's, in ms). */
export interface RetryOptions extends AbortOptions {
  /** Tries in all, the first included (default 3). */
  attempts?: number;
  /** The first wait, in ms (default 100). */
  minDelay?: number;
  /** The longest wait, in ms (default 10000). */
  maxDelay?: number;
  /** Each wait is `factor` times the last (≥ 1, default 2). */
  factor?: number;
  /** Default `'none'`. */
  jitter?: Jitter;
  /** Retry only errors for which this returns true. */
  retryIf?: (error: unknown) => boolean;
  /** Called before each wait. */
  onRetry?: (info: RetryInfo) => void;
  /** Give up instead of waiting past this many ms since the first try (default: none). */
  deadline?: number;
}

/**
 * tenacity's `@retry` / p-retry: the task's value, or a {@link RetryError} (with `attempts`,
 * `reason` and the last error as `cause`) once the policy gives up. Nothing waits after the
 * last try. If `retryIf` or `onRetry` throws, it rejects with what they threw.
 */
export function retry<T>(task: Task<T>, options?: RetryOptions): Promise<T>;

/** Options of the queues. */
export interface QueueOptions {
  /** Items it holds before `put` waits (whole number ≥ 1; default Infinity: unbounded). */
  capacity?: number;
}

/** Options of {@link PriorityQueue.put}. */
export interface PriorityOptions extends AbortOptions {
  /** Smaller first (default 0); any number but NaN. */
  priority?: number;
}

/** What both queues share. */
interface QueueBase<T> {
  /** The next item, waiting while empty; ClosedError once closed and drained. */
  get(options?: AbortOptions): Promise<T>;
  /** The next item if there is one now. */
  tryGet(): T | undefined;
  /** Marks one item taken by `get` as processed; RangeError if called too often. */
  taskDone(): void;
  /** Resolves once every item put has been marked `taskDone`. */
  join(options?: AbortOptions): Promise<void>;
  /** No more puts; gets drain what is queued. `true` the first time. */
  close(): boolean;
  /** Items queued now. */
  readonly size: number;
  /** Items put and not yet marked `taskDone`. */
  readonly unfinished: number;
  /** The capacity (Infinity if unbounded). */
  readonly capacity: number;
  /** Whether `close` was called. */
  readonly closed: boolean;
  /** `for await (const item of queue)`: gets until closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T>;
  free(): void;
}

/** asyncio's `Queue`: first in first out, backpressure at `capacity`, `close` drains. */
export class Queue<T = unknown> implements QueueBase<T> {
  constructor(options?: QueueOptions);
  /** Waits while full; ClosedError once closed. */
  put(item: T, options?: AbortOptions): Promise<void>;
  /** Puts if there is room now: `true`, `false` if full; throws ClosedError if closed. */
  tryPut(item: T): boolean;
  get(options?: AbortOptions): Promise<T>;
  tryGet(): T | undefined;
  taskDone(): void;
  join(options?: AbortOptions): Promise<void>;
  close(): boolean;
  readonly size: number;
  readonly unfinished: number;
  readonly capacity: number;
  readonly closed: boolean;
  [Symbol.asyncIterator](): AsyncIterator<T>;
  free(): void;
}

/** asyncio's `PriorityQueue`: the smallest priority first, in order among equals. */
export class PriorityQueue<T = unknown> implements QueueBase<T> {
  constructor(options?: QueueOptions);
  /** Waits while full; ClosedError once closed. */
  put(item: T, options?: PriorityOptions): Promise<void>;
  /** Puts if there is room now: `true`, `false` if full; throws ClosedError if closed. */
  tryPut(item: T, options?: { priority?: number }): boolean;
  get(options?: AbortOptions): Promise<T>;
  tryGet(): T | undefined;
  taskDone(): void;
  join(options?: AbortOptions): Promise<void>;
  close(): boolean;
  readonly size: number;
  readonly unfinished: number;
  readonly capacity: number;
  readonly closed: boolean;
  [Symbol.asyncIterator](): AsyncIterator<T>;
  free(): void;
}

/** Options of {@link pipeline}. */
export interface PipelineOptions {
  /** Worker tasks (whole number ≥ 1, default 1). */
  workers?: number;
  /** Items waiting for a worker before `submit` waits (whole number ≥ 1, default 1). */
  capacity?: number;
}

/** What {@link Pipeline.join} resolves with. */
export interface PipelineStats {
  submitted: number;
  done: number;
  failed: number;
  /** What the failed items threw. */
  errors: unknown[];
  /** Since the pipeline started, in ms. */
  elapsed: number;
}

/** What {@link pipeline} returns. */
export interface Pipeline<T> {
  /** Queues `item`, waiting while `capacity` items wait; ClosedError after close/join. */
  submit(item: T, options?: AbortOptions): Promise<void>;
  /** Takes no more items; the workers finish what is queued. `true` the first time. */
  close(): boolean;
  /** Closes, drains every queued item and resolves with the stats; joins once. */
  join(options?: AbortOptions): Promise<PipelineStats>;
  /** Items waiting for a worker. */
  readonly queued: number;
  free(): void;
}

/** Producer/consumer: `workers` tasks calling `worker(item, signal)` on a bounded queue. */
export function pipeline<T>(worker: (item: T, signal: AbortSignal) => unknown, options?: PipelineOptions): Pipeline<T>;

/** What `onProgress` is told after each batch. */
export interface Progress {
  /** Items whose batch finished. */
  done: number;
  /** Items whose batch failed. */
  failed: number;
  total: number;
  /** Items per second so far. */
  rate: number;
  /** Estimated ms left, `null` while unknown. */
  eta: number | null;
  /** ms since the start. */
  elapsed: number;
}

/** Options of {@link batch}. */
export interface BatchOptions extends AbortOptions {
  /** Items per batch (default 100). */
  size?: number;
  /** Batches in flight (default 5). */
  concurrency?: number;
  /** ms to wait before each batch that starts after another finished (default 0). */
  pause?: number;
  /** Called after each batch; the last call, and only it, has `done === total`. */
  onProgress?: (progress: Progress) => void;
}

/**
 * `fn(batchItems, batchIndex, signal)` per batch of `size`, `concurrency` batches at a time;
 * resolves with each batch's outcome in batch order.
 */
export function batch<T, R>(
  items: Iterable<T>,
  fn: (items: T[], index: number, signal: AbortSignal) => R | PromiseLike<R>,
  options?: BatchOptions,
): Promise<Settled<R>[]>;

/** Options of {@link Pool}. */
export interface PoolOptions<T> {
  /** Makes an object. */
  create: (signal: AbortSignal) => T | PromiseLike<T>;
  /** Is an idle object still good? `false` or a rejection: it is destroyed and replaced. */
  check?: (value: T, signal: AbortSignal) => boolean | void | PromiseLike<boolean | void>;
  /** Disposes of an object (errors ignored). */
  destroy?: (value: T) => unknown;
  /** Objects made at once (default 0). */
  min?: number;
  /** At most this many exist (default 10). */
  max?: number;
  /** ms an acquire waits before a TimeoutError (default 30000; Infinity allowed). */
  acquireTimeout?: number;
}

/** An object on loan; `release()` or `discard()` it (only the first call counts). */
export interface Lease<T> {
  /** The object (`undefined` once released or discarded). */
  readonly value: T;
  /** Gives it back to the pool. */
  release(): void;
  /** Destroys it (it is broken) and frees its place. */
  discard(): void;
  free(): void;
}

/** What {@link Pool.status} reports. */
export interface PoolStatus {
  size: number;
  idle: number;
  inUse: number;
  waiting: number;
  max: number;
  closed: boolean;
}

/** asyncpg's `create_pool`: reusable objects, health-checked on checkout, at most `max`. */
export class Pool<T = unknown> {
  constructor(options: PoolOptions<T>);
  /** An object: idle and checked, new, or the first to come back. TimeoutError, ClosedError. */
  acquire(options?: AbortOptions): Promise<Lease<T>>;
  /** Acquires, resolves with `fn(value, signal)`, gives the object back when that settles. */
  use<R>(fn: (value: T, signal: AbortSignal) => R | PromiseLike<R>, options?: AbortOptions): Promise<R>;
  /** Fails waiters, destroys idle objects and lent ones when they come back; resolves when all are gone. */
  close(): Promise<void>;
  status(): PoolStatus;
  free(): void;
}

/** Options of {@link Recorder}. */
export interface RecorderOptions {
  /** Spans kept, the oldest dropped first (default 10000). */
  capacity?: number;
  /** A poll longer than this (ms, default 10) is a slow-poll warning. */
  slowPoll?: number;
  /** Polls and marks kept per span (default 64). */
  pollsPerSpan?: number;
}

/** One traced task. Times are ms since the recorder was made. */
export interface Span {
  id: number;
  name: string;
  parent: number | null;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  queued: number;
  start: number | null;
  end: number | null;
  /** Time spent inside polls. */
  busy: number;
  pollCount: number;
  polls: { start: number; duration: number }[];
  marks: { at: number; kind: string }[];
}

/** A poll that blocked the event loop. */
export interface SlowPoll {
  task: string;
  id: number;
  at: number;
  duration: number;
  message: string;
}

/** weft's task timeline: spans, slow polls, Chrome trace-event JSON. */
export class Recorder {
  constructor(options?: RecorderOptions);
  /** From now on every task weft starts is a span of this recorder (until `stop`). */
  start(): void;
  /** Stops recording new tasks. */
  stop(): void;
  /** Whether this recorder is the one recording. */
  readonly recording: boolean;
  /** Runs one task as a span named `name`. */
  trace<T>(name: string, task: Task<T>, options?: AbortOptions): Promise<T>;
  spans(): Span[];
  warnings(): SlowPoll[];
  /** The timeline as Chrome trace-event JSON (Perfetto, `chrome://tracing`). */
  chromeTrace(): string;
  free(): void;
}
