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
/** `retry` gave up; `cause` is the last error. */
export class RetryError extends WeftError {
  /** How many tries were made, the first included. */
  readonly attempts: number;
}
/** A worker-pool job failed. */
export class WorkerError extends WeftError {}

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

/** The outcome of one task in `gather(tasks, { settle: true })`, as `Promise.allSettled`. */
export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

/** Options of {@link gather}. */
export interface GatherOptions extends AbortOptions {
  /** Wait for every task and report each outcome instead of rejecting on the first error. */
  settle?: boolean;
}

/**
 * Runs every task concurrently; resolves with their values in input order. On the first error
 * it rejects with that error and aborts the tasks still running. With `settle: true` it waits
 * for all and resolves with each outcome (Python's `return_exceptions=True`).
 */
export function gather<T>(tasks: Iterable<Task<T>>, options?: GatherOptions & { settle?: false }): Promise<T[]>;
export function gather<T>(tasks: Iterable<Task<T>>, options: GatherOptions & { settle: true }): Promise<Settled<T>[]>;
