// retry in Chromium: attempts, delays, retryIf, onRetry, deadline, signal, RetryError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('retry counts every try, waits min × factor^k, and gives the value', async () => {
  const out = await run(async () => {
    let tries = 0;
    const times = [];
    const t0 = performance.now();
    const value = await weft.retry(async () => {
      times.push(performance.now() - t0);
      tries += 1;
      if (tries < 3) throw new Error(`flaky ${tries}`);
      return 'data';
    }, { attempts: 5, minDelay: 20, factor: 2, maxDelay: 1000 });
    const quick = await weft.retry(async () => 'first');
    return { value, tries, times, quick };
  });
  assert.equal(out.value, 'data');
  assert.equal(out.tries, 3);
  assert.equal(out.quick, 'first');
  assert.ok(out.times[1] - out.times[0] >= 19, `first wait ${out.times[1] - out.times[0]}`);
  assert.ok(out.times[2] - out.times[1] >= 39, `second wait ${out.times[2] - out.times[1]}`);
});

test('giving up rejects with RetryError { attempts, reason, cause }, no wait after the last try', async () => {
  const out = await run(async () => {
    let tries = 0;
    const t0 = performance.now();
    try {
      await weft.retry(() => { tries += 1; throw new Error(`fail ${tries}`); }, { attempts: 3, minDelay: 10, maxDelay: 10 });
    } catch (e) {
      return {
        name: e.name, isRetry: e instanceof weft.RetryError, attempts: e.attempts, reason: e.reason,
        cause: e.cause.message, message: e.message, tries, took: performance.now() - t0,
      };
    }
  });
  assert.deepEqual({ ...out, took: undefined }, {
    name: 'RetryError', isRetry: true, attempts: 3, reason: 'attempts', cause: 'fail 3',
    message: 'retry gave up after 3 attempts', tries: 3, took: undefined,
  });
  assert.ok(out.took >= 19 && out.took < 1000, `took ${out.took}`);
});

test('the default policy retries a failing first try (3 tries)', async () => {
  const out = await run(async () => {
    let tries = 0;
    try { await weft.retry(() => { tries += 1; return Promise.reject(new Error('x')); }); } catch (e) { return [e.attempts, tries]; }
  });
  assert.deepEqual(out, [3, 3]);
});

test('retryIf stops at a non-retryable error; onRetry sees each failure before its wait', async () => {
  const out = await run(async () => {
    let tries = 0;
    let stopped;
    try {
      await weft.retry(async () => { tries += 1; throw new TypeError('fatal'); }, { retryIf: (e) => !(e instanceof TypeError) });
    } catch (e) { stopped = [e.reason, e.attempts, e.cause.message, tries]; }
    const infos = [];
    let n = 0;
    const value = await weft.retry(async () => { n += 1; if (n < 3) throw new Error(`e${n}`); return n; }, {
      minDelay: 5, maxDelay: 50, onRetry: (info) => infos.push([info.attempt, info.error.message, info.delay, typeof info.elapsed]),
    });
    return { stopped, infos, value };
  });
  assert.deepEqual(out, {
    stopped: ['notRetryable', 1, 'fatal', 1],
    infos: [[1, 'e1', 5, 'number'], [2, 'e2', 10, 'number']],
    value: 3,
  });
});

test('jitter keeps delays within bounds; the deadline stops instead of waiting past it', async () => {
  const out = await run(async () => {
    const delays = [];
    try {
      await weft.retry(async () => { throw new Error('x'); }, {
        attempts: 6, minDelay: 2, maxDelay: 8, jitter: 'full', onRetry: (i) => delays.push(i.delay),
      });
    } catch (e) { /* expected */ }
    let deadline;
    const t0 = performance.now();
    try {
      await weft.retry(async () => { throw new Error('y'); }, { attempts: 100, minDelay: 20, factor: 1, deadline: 50 });
    } catch (e) { deadline = [e.reason, e.attempts, performance.now() - t0]; }
    return { delays, deadline };
  });
  assert.equal(out.delays.length, 5);
  assert.ok(out.delays.every((d) => d >= 0 && d <= 8), `${out.delays}`);
  assert.equal(out.deadline[0], 'deadline');
  assert.ok(out.deadline[1] >= 2 && out.deadline[1] <= 3, `attempts ${out.deadline[1]}`);
  assert.ok(out.deadline[2] < 1000);
});

test('the signal aborts the running try and the wait; hooks that throw reject with their error', async () => {
  const out = await run(async () => {
    const signals = [];
    const controller = new AbortController();
    const running = weft.retry(probe(signals, 1, -1), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 5);
    let reason;
    try { await running; } catch (e) { reason = e.message; }
    let hook;
    try {
      await weft.retry(async () => { throw new Error('x'); }, { minDelay: 10_000, maxDelay: 10_000, onRetry: () => { throw new RangeError('hook'); } });
    } catch (e) { hook = [e.name, e.message]; }
    let predicate;
    try {
      await weft.retry(async () => { throw new Error('x'); }, { retryIf: () => { throw new SyntaxError('pred'); } });
    } catch (e) { predicate = [e.name, e.message]; }
    return { reason, aborted: signals[0].aborted, hook, predicate };
  });
  assert.deepEqual(out, {
    reason: 'stop', aborted: true, hook: ['RangeError', 'hook'], predicate: ['SyntaxError', 'pred'],
  });
});

test('retry rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await weft.retry(async () => 9, { attempts: 1 })) === 9;
    const t = async () => 1;
    const cases = [
      ['task undefined', 'TypeError', () => weft.retry()],
      ['task number', 'TypeError', () => weft.retry(1)],
      ['task string', 'TypeError', () => weft.retry('x')],
      ['options number', 'TypeError', () => weft.retry(t, 1)],
      ['options string', 'TypeError', () => weft.retry(t, 'x')],
    ];
    for (const [key, values] of [
      ['attempts', [[0, 'RangeError'], [-1, 'RangeError'], [1.5, 'RangeError'], [NaN, 'RangeError'], [Infinity, 'RangeError'], [1e12, 'RangeError'], ['3', 'TypeError'], [null, 'TypeError']]],
      ['minDelay', [[-1, 'RangeError'], [NaN, 'RangeError'], [Infinity, 'RangeError'], [1e300, 'RangeError'], ['5', 'TypeError'], [null, 'TypeError']]],
      ['maxDelay', [[-1, 'RangeError'], [NaN, 'RangeError'], [Infinity, 'RangeError'], ['5', 'TypeError'], [false, 'TypeError']]],
      ['factor', [[0.5, 'RangeError'], [0, 'RangeError'], [-2, 'RangeError'], [NaN, 'RangeError'], [Infinity, 'RangeError'], ['2', 'TypeError'], [null, 'TypeError']]],
      ['jitter', [['random', 'RangeError'], ['FULL', 'RangeError'], [1, 'RangeError'], [null, 'RangeError']]],
      ['deadline', [[-1, 'RangeError'], [NaN, 'RangeError'], ['1', 'TypeError']]],
      ['retryIf', [[true, 'TypeError'], ['x', 'TypeError'], [null, 'TypeError'], [{}, 'TypeError']]],
      ['onRetry', [[1, 'TypeError'], ['x', 'TypeError'], [null, 'TypeError']]],
      ['signal', [['x', 'TypeError'], [{}, 'TypeError'], [AbortSignal.abort(new Error('a')), 'Error']]],
    ]) {
      for (const [value, error] of values) cases.push([`${key}: ${String(value)}`, error, () => weft.retry(t, { [key]: value })]);
    }
    cases.push(
      ['minDelay above maxDelay', 'RangeError', () => weft.retry(t, { minDelay: 50, maxDelay: 10 })],
      ['task always throws', 'RetryError', () => weft.retry(() => { throw new Error('x'); }, { attempts: 2, minDelay: 0, maxDelay: 0 })],
      ['task rejects with undefined', 'RetryError', () => weft.retry(() => Promise.reject(), { attempts: 1 })],
      ['fast path, task throws synchronously', 'RetryError', () => weft.retry(() => { throw new Error('s'); })],
    );
    return bad(cases, valid);
  });
  assertBad(rows, 50);
});
