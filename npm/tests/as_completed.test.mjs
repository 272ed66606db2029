// asCompleted in Chromium: finish order, early exit aborts, signal, settle, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('asCompleted yields [index, value] in finish order', async () => {
  const out = await run(async () => {
    const delays = [40, 10, 25, 0];
    const seen = [];
    for await (const pair of weft.asCompleted(delays.map((ms) => () => weft.sleep(ms).then(() => ms)))) {
      seen.push(pair);
    }
    const empty = [];
    for await (const pair of weft.asCompleted([])) empty.push(pair);
    return { seen, empty };
  });
  assert.deepEqual(out, { seen: [[3, 0], [1, 10], [2, 25], [0, 40]], empty: [] });
});

test('breaking out of the loop aborts the unfinished tasks', async () => {
  const out = await run(async () => {
    const signals = [];
    const tasks = [probe(signals, 'a', 5), probe(signals, 'b', -1), probe(signals, 'c', -1)];
    let first;
    for await (const [i, v] of weft.asCompleted(tasks)) { first = [i, v]; break; }
    await weft.sleep(0);
    return { first, aborted: signals.map((s) => s.aborted), reason: signals[1].reason?.name };
  });
  assert.deepEqual(out, { first: [0, 'a'], aborted: [false, true, true], reason: 'AbortError' });
});

test('a rejection rejects the iteration and aborts the rest; settle keeps every outcome', async () => {
  const out = await run(async () => {
    const signals = [];
    const tasks = [probe(signals, 1, 30), () => weft.sleep(5).then(() => { throw new Error('boom'); }), probe(signals, 3, -1)];
    let error;
    const seen = [];
    try {
      for await (const pair of weft.asCompleted(tasks)) seen.push(pair);
    } catch (e) { error = e.message; }
    const settled = [];
    for await (const [i, s] of weft.asCompleted([async () => 1, async () => { throw new Error('x'); }], { settle: true })) {
      settled.push([i, s.status]);
    }
    settled.sort((a, b) => a[0] - b[0]);
    return { error, seen, aborted: signals.map((s) => s.aborted), settled };
  });
  assert.deepEqual(out, {
    error: 'boom', seen: [], aborted: [true, true],
    settled: [[0, 'fulfilled'], [1, 'rejected']],
  });
});

test('the signal aborts the tasks and rejects the pending next()', async () => {
  const out = await run(async () => {
    const signals = [];
    const controller = new AbortController();
    const iter = weft.asCompleted([probe(signals, 1, -1), probe(signals, 2, -1)], { signal: controller.signal });
    const next = iter.next();
    setTimeout(() => controller.abort(new Error('stop')), 5);
    let reason;
    try { await next; } catch (e) { reason = e.message; }
    const after = await iter.next();
    let started = 0;
    const aborted = weft.asCompleted([() => { started += 1; return 1; }], { signal: AbortSignal.abort(new Error('early')) });
    let early;
    try { await aborted.next(); } catch (e) { early = e.message; }
    return { reason, aborted: signals.map((s) => s.aborted), after, early, started };
  });
  assert.deepEqual(out, {
    reason: 'stop', aborted: [true, true], after: { value: undefined, done: true }, early: 'early', started: 0,
  });
});

test('concurrent next() calls are served in order', async () => {
  const out = await run(async () => {
    const iter = weft.asCompleted([() => weft.sleep(20).then(() => 'slow'), () => weft.sleep(5).then(() => 'fast')]);
    const [a, b, c] = await Promise.all([iter.next(), iter.next(), iter.next()]);
    return [a.value, b.value, c.done];
  });
  assert.deepEqual(out, [[1, 'fast'], [0, 'slow'], true]);
});

test('asCompleted rejects bad input with TypeError, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => {
      const got = [];
      for await (const p of weft.asCompleted([async () => 7])) got.push(p);
      return got.length === 1 && got[0][1] === 7;
    };
    const cases = [
      ['undefined', 'TypeError', () => weft.asCompleted()],
      ['null', 'TypeError', () => weft.asCompleted(null)],
      ['number', 'TypeError', () => weft.asCompleted(42)],
      ['NaN', 'TypeError', () => weft.asCompleted(NaN)],
      ['string', 'TypeError', () => weft.asCompleted('abc')],
      ['object', 'TypeError', () => weft.asCompleted({})],
      ['array of numbers', 'TypeError', () => weft.asCompleted([1, 2])],
      ['array with undefined', 'TypeError', () => weft.asCompleted([async () => 1, undefined])],
      ['array with string', 'TypeError', () => weft.asCompleted(['x'])],
      ['options a number', 'TypeError', () => weft.asCompleted([], 5)],
      ['options a string', 'TypeError', () => weft.asCompleted([], 'x')],
      ['signal not a signal', 'TypeError', () => weft.asCompleted([], { signal: {} })],
      ['signal a string', 'TypeError', () => weft.asCompleted([], { signal: 'stop' })],
      ['iterable that throws', 'Error', () => weft.asCompleted({ *[Symbol.iterator]() { throw new Error('it'); } })],
      ['task that throws', 'Error', async () => { for await (const p of weft.asCompleted([() => { throw new Error('sync'); }])) p; }],
      ['task that rejects', 'TypeError', async () => { for await (const p of weft.asCompleted([Promise.reject(new TypeError('rej'))])) p; }],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 16);
});
