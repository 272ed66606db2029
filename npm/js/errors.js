// weft's error classes. Every error weft rejects with is one of these (or the caller's own
// error, passed through unchanged), with `name` set and the underlying error as `cause`.

export class WeftError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'WeftError';
  }
}

/** A task or call did not finish within its time limit. `timeout` is the limit in ms. */
export class TimeoutError extends WeftError {
  constructor(message, options) {
    super(message, options);
    this.name = 'TimeoutError';
  }
}

/** weft cancelled a task (a sibling failed, a timeout expired, the caller aborted). */
export class AbortError extends WeftError {
  constructor(message, options) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** `retry` gave up. `attempts` is how many tries were made; `cause` is the last error. */
export class RetryError extends WeftError {
  constructor(message, options) {
    super(message, options);
    this.name = 'RetryError';
  }
}

/** A worker-pool job failed: it threw or panicked, timed out, was cancelled, or its worker crashed. */
export class WorkerError extends WeftError {
  constructor(message, options) {
    super(message, options);
    this.name = 'WorkerError';
  }
}

/** A put, get, submit, spawn or acquire on a queue, pipeline, group or pool that is closed. */
export class ClosedError extends WeftError {
  constructor(message, options) {
    super(message, options);
    this.name = 'ClosedError';
  }
}

/**
 * Several tasks failed (a TaskGroup, firstOk). `errors` holds every failure, `indexes` the
 * index of the task each came from, and `cause` the first failure; like `AggregateError`.
 */
export class GroupError extends WeftError {
  constructor(message, options) {
    super(message, options);
    this.name = 'GroupError';
    this.errors = [];
    this.indexes = [];
  }
}
