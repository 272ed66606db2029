// Semaphore and limit in Chromium: never more than n in flight, order, signals, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('limit never runs more than n at once, in call order, with p-limit counters', async () => {
  const out = await run(async () => {
    const run = weft.limit(3);
    let active = 0;
    let most = 0;
    const order = [];
    const counts = [];
    const tasks = Array.from({ length: 20 }, (_, i) => run(async (signal) => {
      order.push(i);
      active += 1;
      most = Math.max(most, active);
      counts.push([run.activeCount, run.pendingCount]);
      await weft.sleep(2 + (i % 3) * 3);
      active -= 1;
      return i * 2;
    }));
    const first = [run.activeCount, run.pendingCount];
    const values = await Promise.all(tasks);
    return { most, values, order, first, end: [run.activeCount, run.pendingCount], concurrency: run.concurrency };
  });
  assert.equal(out.most, 3);
  assert.deepEqual(out.values, Array.from({ length: 20 }, (_, i) => i * 2));
  assert.deepEqual(out.order, Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(out.first, [3, 17]);
  assert.deepEqual(out.end, [0, 0]);
  assert.equal(out.concurrency, 3);
});

test('10,000 calls at once: all run, never more than the limit, counters back to 0', async () => {
  const out = await run(async () => {
    const run = weft.limit(16);
    let active = 0;
    let most = 0;
    const values = await Promise.all(Array.from({ length: 10_000 }, (_, i) => run(async () => {
      active += 1;
      most = Math.max(most, active);
      await null;
      active -= 1;
      return i;
    })));
    return { most, sum: values.reduce((a, b) => a + b, 0), end: [run.activeCount, run.pendingCount] };
  });
  assert.deepEqual(out, { most: 16, sum: 49_995_000, end: [0, 0] });
});

test('limit passes errors through and frees the slot; a sync throw rejects', async () => {
  const out = await run(async () => {
    const run = weft.limit(1);
    const results = await Promise.allSettled([
      run(() => { throw new Error('sync'); }),
      run(async () => { throw new Error('async'); }),
      run(async () => 'ok'),
      run(Promise.resolve('promise')),
    ]);
    return { results: results.map((r) => r.value ?? r.reason.message), active: run.activeCount };
  });
  assert.deepEqual(out, { results: ['sync', 'async', 'ok', 'promise'], active: 0 });
});

test('a waiting task whose signal aborts never starts; a running one sees its signal abort', async () => {
  const out = await run(async () => {
    const run = weft.limit(1);
    const signals = [];
    const blocker = run(probe(signals, 'first', 30));
    const controller = new AbortController();
    let started = false;
    const waiting = run(() => { started = true; return 1; }, { signal: controller.signal });
    controller.abort(new Error('gave up'));
    let reason;
    try { await waiting; } catch (e) { reason = e.message; }
    const pendingAfterAbort = run.pendingCount;
    await blocker;
    const c2 = new AbortController();
    const running = run(probe(signals, 'x', -1), { signal: c2.signal });
    await weft.sleep(1);
    c2.abort(new Error('stop'));
    let stopped;
    try { await running; } catch (e) { stopped = e.message; }
    return { reason, started, pendingAfterAbort, stopped, aborted: signals[1].aborted, active: run.activeCount };
  });
  assert.deepEqual(out, { reason: 'gave up', started: false, pendingAfterAbort: 0, stopped: 'stop', aborted: true, active: 0 });
});

test('Semaphore: acquire gives a release function; at most `permits` holders', async () => {
  const out = await run(async () => {
    const sem = new weft.Semaphore(2);
    const r1 = await sem.acquire();
    const r2 = await sem.acquire();
    const tryNone = sem.tryAcquire();
    let third = false;
    const p3 = sem.acquire().then((r) => { third = true; return r; });
    await weft.sleep(5);
    const before = [third, sem.available, sem.active, sem.waiting];
    r1();
    r1(); // a second call releases nothing more
    const r3 = await p3;
    const after = [third, sem.available, sem.active];
    r2(); r3();
    const zero = new weft.Semaphore(0);
    const tryZero = zero.tryAcquire();
    const viaRun = await sem.run(async () => sem.active);
    return { tryNone: tryNone === undefined, before, after, end: sem.available, tryZero: tryZero === undefined, viaRun };
  });
  assert.deepEqual(out, {
    tryNone: true, before: [false, 0, 2, 1], after: [true, 0, 2], end: 2, tryZero: true, viaRun: 1,
  });
});

test('Semaphore: an aborted acquire takes no permit', async () => {
  const out = await run(async () => {
    const sem = new weft.Semaphore(1);
    const release = await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    controller.abort(new Error('no'));
    let reason;
    try { await waiting; } catch (e) { reason = e.message; }
    release();
    return { reason, available: sem.available, waiting: sem.waiting };
  });
  assert.deepEqual(out, { reason: 'no', available: 1, waiting: 0 });
});

test('limit and Semaphore reject bad input, and keep working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await weft.limit(2)(async () => 3)) === 3 && (await new weft.Semaphore(1).run(async () => 4)) === 4;
    const sem = new weft.Semaphore(1);
    const run = weft.limit(1);
    const cases = [];
    for (const [label, value, error] of [
      ['undefined', undefined, 'TypeError'], ['null', null, 'TypeError'], ['string', '2', 'TypeError'],
      ['object', {}, 'TypeError'], ['NaN', NaN, 'RangeError'], ['negative', -1, 'RangeError'],
      ['fraction', 1.5, 'RangeError'], ['Infinity', Infinity, 'RangeError'], ['-Infinity', -Infinity, 'RangeError'],
      ['huge', 1e12, 'RangeError'], ['MAX_VALUE', Number.MAX_VALUE, 'RangeError'], ['bigint', 2n, 'TypeError'],
    ]) {
      cases.push([`limit(${label})`, error, () => weft.limit(value)]);
      cases.push([`new Semaphore(${label})`, error, () => new weft.Semaphore(value)]);
    }
    cases.push(
      ['limit(0)', 'RangeError', () => weft.limit(0)],
      ['run(undefined)', 'TypeError', () => run()],
      ['run(number)', 'TypeError', () => run(5)],
      ['run(string)', 'TypeError', () => run('x')],
      ['run bad options', 'TypeError', () => run(async () => 1, 5)],
      ['run bad signal', 'TypeError', () => run(async () => 1, { signal: true })],
      ['run aborted signal', 'Error', () => run(async () => 1, { signal: AbortSignal.abort(new Error('a')) })],
      ['sem.run(null)', 'TypeError', () => sem.run(null)],
      ['sem.run bad signal', 'TypeError', () => sem.run(async () => 1, { signal: 1 })],
      ['sem.acquire bad options', 'TypeError', () => sem.acquire('x')],
      ['sem.acquire bad signal', 'TypeError', () => sem.acquire({ signal: [] })],
      ['sem.acquire aborted', 'Error', () => sem.acquire({ signal: AbortSignal.abort(new Error('a')) })],
      ['task throws', 'SyntaxError', () => run(() => { throw new SyntaxError('s'); })],
      ['task rejects', 'URIError', () => sem.run(() => Promise.reject(new URIError('u')))],
    );
    return bad(cases, valid);
  });
  assertBad(rows, 38);
});
