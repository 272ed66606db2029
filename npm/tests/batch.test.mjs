// batch in Chromium: batches in order, concurrency, pause, progress reaching total once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('batches of size, at most concurrency at once, outcomes in batch order, progress to total once', async () => {
  const out = await run(async () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    let active = 0;
    let most = 0;
    const calls = [];
    const progress = [];
    const results = await weft.batch(items, async (batch, index, signal) => {
      calls.push([index, batch.length, signal instanceof AbortSignal]);
      active += 1;
      most = Math.max(most, active);
      await weft.sleep(10 - index * 2);
      active -= 1;
      if (index === 2) throw new Error('batch 2');
      return batch.reduce((a, b) => a + b, 0);
    }, { size: 5, concurrency: 2, onProgress: (p) => progress.push([p.done, p.failed, p.total, typeof p.rate, p.eta === null || typeof p.eta === 'number']) });
    return { results: results.map((r) => r.value ?? r.reason.message), most, calls: calls.sort((a, b) => a[0] - b[0]), progress };
  });
  assert.deepEqual(out.results, [10, 35, 'batch 2', 85, 63]);
  assert.equal(out.most, 2);
  assert.deepEqual(out.calls.map((c) => c[1]), [5, 5, 5, 5, 3]);
  assert.ok(out.calls.every((c) => c[2]));
  assert.equal(out.progress.length, 5);
  assert.equal(out.progress.filter((p) => p[0] === 23).length, 1);
  assert.deepEqual(out.progress.at(-1).slice(0, 3), [23, 5, 23]);
  assert.ok(out.progress.every((p) => p[3] === 'number' && p[4]));
});

test('empty input reports done once; pause waits between batches', async () => {
  const out = await run(async () => {
    const progress = [];
    const empty = await weft.batch([], async () => 1, { onProgress: (p) => progress.push([p.done, p.total]) });
    const starts = [];
    const t0 = performance.now();
    await weft.batch([1, 2, 3], async () => { starts.push(performance.now() - t0); }, { size: 1, concurrency: 1, pause: 20 });
    return { empty, progress, gaps: [starts[1] - starts[0], starts[2] - starts[1]] };
  });
  assert.deepEqual(out.empty, []);
  assert.deepEqual(out.progress, [[0, 0]]);
  assert.ok(out.gaps.every((g) => g >= 19), `${out.gaps}`);
});

test('onProgress throwing rejects and aborts the batches in flight; so does the signal', async () => {
  const out = await run(async () => {
    const signals = [];
    let hook;
    try {
      await weft.batch([1, 2, 3], (b, i, s) => { signals.push(s); return i === 0 ? 1 : new Promise(() => {}); }, {
        size: 1, concurrency: 3, onProgress: () => { throw new Error('hook'); },
      });
    } catch (e) { hook = e.message; }
    const c = new AbortController();
    const more = [];
    const p = weft.batch([1, 2], (b, i, s) => { more.push(s); return new Promise(() => {}); }, { size: 1, signal: c.signal });
    await weft.sleep(1);
    c.abort(new Error('stop'));
    let reason;
    try { await p; } catch (e) { reason = e.message; }
    return { hook, aborted: signals.map((s) => s.aborted), reason, more: more.map((s) => s.aborted) };
  });
  assert.deepEqual(out, { hook: 'hook', aborted: [false, true, true], reason: 'stop', more: [true, true] });
});

test('batch rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await weft.batch([1, 2, 3], async (b) => b.length, { size: 2 })).map((r) => r.value).join() === '2,1';
    const f = async () => 1;
    const cases = [
      ['items undefined', 'TypeError', () => weft.batch(undefined, f)],
      ['items number', 'TypeError', () => weft.batch(4, f)],
      ['items object', 'TypeError', () => weft.batch({}, f)],
      ['fn undefined', 'TypeError', () => weft.batch([1])],
      ['fn a number', 'TypeError', () => weft.batch([1], 1)],
      ['options a number', 'TypeError', () => weft.batch([1], f, 2)],
      ['size 0', 'RangeError', () => weft.batch([1], f, { size: 0 })],
      ['size -1', 'RangeError', () => weft.batch([1], f, { size: -1 })],
      ['size 1.5', 'RangeError', () => weft.batch([1], f, { size: 1.5 })],
      ['size NaN', 'RangeError', () => weft.batch([1], f, { size: NaN })],
      ['size Infinity', 'RangeError', () => weft.batch([1], f, { size: Infinity })],
      ['size string', 'TypeError', () => weft.batch([1], f, { size: '2' })],
      ['concurrency 0', 'RangeError', () => weft.batch([1], f, { concurrency: 0 })],
      ['concurrency huge', 'RangeError', () => weft.batch([1], f, { concurrency: 1e11 })],
      ['concurrency null', 'TypeError', () => weft.batch([1], f, { concurrency: null })],
      ['pause -1', 'RangeError', () => weft.batch([1], f, { pause: -1 })],
      ['pause NaN', 'RangeError', () => weft.batch([1], f, { pause: NaN })],
      ['pause Infinity', 'RangeError', () => weft.batch([1], f, { pause: Infinity })],
      ['pause string', 'TypeError', () => weft.batch([1], f, { pause: '1' })],
      ['onProgress a number', 'TypeError', () => weft.batch([1], f, { onProgress: 1 })],
      ['onProgress null', 'TypeError', () => weft.batch([1], f, { onProgress: null })],
      ['bad signal', 'TypeError', () => weft.batch([1], f, { signal: {} })],
      ['aborted signal', 'Error', () => weft.batch([1], f, { signal: AbortSignal.abort(new Error('a')) })],
      ['onProgress throws a string', 'non-error nope', () => weft.batch([1], f, { onProgress: () => { throw 'nope'; } })],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 24);
});
