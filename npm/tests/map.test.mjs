// mapConcurrent in Chromium: order, concurrency never exceeded, fail fast, lazy input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('mapConcurrent keeps input order and never exceeds the concurrency', async () => {
  const out = await run(async () => {
    let active = 0;
    let most = 0;
    const mapper = async (x, i, signal) => {
      active += 1;
      most = Math.max(most, active);
      await weft.sleep((x * 7) % 5);
      active -= 1;
      return [x * 10, i, signal instanceof AbortSignal];
    };
    const values = await weft.mapConcurrent([1, 2, 3, 4, 5, 6, 7], mapper, { concurrency: 2 });
    const unordered = await weft.mapConcurrent([30, 5, 15], (ms) => weft.sleep(ms).then(() => ms), { ordered: false });
    const all = await weft.mapConcurrent(new Set([1, 2]), (x) => x + 1);
    const empty = await weft.mapConcurrent([], (x) => x);
    return { values, most, unordered, all, empty };
  });
  assert.deepEqual(out.values.map((v) => v[0]), [10, 20, 30, 40, 50, 60, 70]);
  assert.deepEqual(out.values.map((v) => v[1]), [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(out.values.every((v) => v[2]));
  assert.equal(out.most, 2);
  assert.deepEqual(out.unordered, [5, 15, 30]);
  assert.deepEqual(out.all, [2, 3]);
  assert.deepEqual(out.empty, []);
});

test('the first rejection rejects, aborts the running mappers and starts no more', async () => {
  const out = await run(async () => {
    const signals = [];
    const started = [];
    let error;
    try {
      await weft.mapConcurrent([0, 1, 2, 3, 4], (x, i, signal) => {
        started.push(x);
        signals.push(signal);
        if (x === 1) return weft.sleep(5).then(() => { throw new Error('one'); });
        return new Promise(() => {});
      }, { concurrency: 3 });
    } catch (e) { error = e.message; }
    await weft.sleep(10);
    const settled = await weft.mapConcurrent([1, 2], async (x) => { if (x === 2) throw new Error('two'); return x; }, { settle: true });
    return { error, started, aborted: signals.map((s) => s.aborted), settled: settled.map((s) => s.status) };
  });
  assert.deepEqual(out, {
    error: 'one', started: [0, 1, 2], aborted: [true, false, true], settled: ['fulfilled', 'rejected'],
  });
});

test('items are pulled lazily: an endless generator works', async () => {
  const out = await run(async () => {
    let pulled = 0;
    function* naturals() { for (let i = 0; ; i += 1) { pulled += 1; yield i; } }
    const controller = new AbortController();
    const seen = [];
    const mapping = weft.mapConcurrent(naturals(), async (x) => {
      seen.push(x);
      if (seen.length === 10) controller.abort(new Error('enough'));
      await weft.sleep(1);
      return x;
    }, { concurrency: 2, signal: controller.signal });
    let reason;
    try { await mapping; } catch (e) { reason = e.message; }
    return { reason, pulledSmall: pulled <= 12, seen: seen.length };
  });
  assert.deepEqual(out, { reason: 'enough', pulledSmall: true, seen: 10 });
});

test('mapConcurrent rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await weft.mapConcurrent([1, 2], async (x) => x * 2)).join() === '2,4';
    const f = async (x) => x;
    const cases = [
      ['items undefined', 'TypeError', () => weft.mapConcurrent(undefined, f)],
      ['items null', 'TypeError', () => weft.mapConcurrent(null, f)],
      ['items number', 'TypeError', () => weft.mapConcurrent(5, f)],
      ['items object', 'TypeError', () => weft.mapConcurrent({ length: 2 }, f)],
      ['mapper undefined', 'TypeError', () => weft.mapConcurrent([1])],
      ['mapper a promise', 'TypeError', () => weft.mapConcurrent([1], Promise.resolve(1))],
      ['mapper a string', 'TypeError', () => weft.mapConcurrent([1], 'x')],
      ['options a number', 'TypeError', () => weft.mapConcurrent([1], f, 1)],
      ['concurrency 0', 'RangeError', () => weft.mapConcurrent([1], f, { concurrency: 0 })],
      ['concurrency -1', 'RangeError', () => weft.mapConcurrent([1], f, { concurrency: -1 })],
      ['concurrency 1.5', 'RangeError', () => weft.mapConcurrent([1], f, { concurrency: 1.5 })],
      ['concurrency NaN', 'RangeError', () => weft.mapConcurrent([1], f, { concurrency: NaN })],
      ['concurrency -Infinity', 'RangeError', () => weft.mapConcurrent([1], f, { concurrency: -Infinity })],
      ['concurrency huge', 'RangeError', () => weft.mapConcurrent([1], f, { concurrency: 2 ** 53 })],
      ['concurrency string', 'TypeError', () => weft.mapConcurrent([1], f, { concurrency: '2' })],
      ['concurrency null', 'TypeError', () => weft.mapConcurrent([1], f, { concurrency: null })],
      ['bad signal', 'TypeError', () => weft.mapConcurrent([1], f, { signal: 'x' })],
      ['aborted signal', 'Error', () => weft.mapConcurrent([1], f, { signal: AbortSignal.abort(new Error('a')) })],
      ['mapper throws', 'EvalError', () => weft.mapConcurrent([1], () => { throw new EvalError('e'); })],
      ['mapper rejects with undefined', 'non-error undefined', () => weft.mapConcurrent([1], () => Promise.reject(undefined))],
      ['iterator throws midway', 'Error', () => weft.mapConcurrent((function* () { yield 1; throw new Error('gen'); })(), f)],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 21);
});
