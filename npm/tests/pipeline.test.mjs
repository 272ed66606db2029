// pipeline in Chromium: workers, backpressure, nothing lost, stats, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('every item is processed once; join reports the stats', async () => {
  const out = await run(async () => {
    let active = 0;
    let most = 0;
    const seen = [];
    const p = weft.pipeline(async (item, signal) => {
      active += 1;
      most = Math.max(most, active);
      await weft.sleep(1 + (item % 3));
      active -= 1;
      if (item % 10 === 7) throw new Error(`bad ${item}`);
      seen.push(item);
    }, { workers: 3, capacity: 4 });
    for (let i = 0; i < 40; i += 1) await p.submit(i);
    const stats = await p.join();
    return { most, seen: seen.length, stats: { ...stats, errors: stats.errors.map((e) => e.message), elapsed: typeof stats.elapsed } };
  });
  assert.equal(out.most, 3);
  assert.equal(out.seen, 36);
  assert.equal(out.stats.elapsed, 'number');
  assert.equal(out.stats.failed, 4);
  assert.deepEqual(out.stats.errors.sort(), ['bad 17', 'bad 27', 'bad 37', 'bad 7']);
  assert.equal(out.stats.submitted, 40);
  assert.equal(out.stats.done + out.stats.failed, 40);
});

test('submit waits at capacity; close and join refuse more; join drains', async () => {
  const out = await run(async () => {
    let release;
    const gate = new Promise((r) => { release = r; });
    const done = [];
    const p = weft.pipeline(async (item) => { await gate; done.push(item); }, { workers: 1, capacity: 1 });
    await p.submit('a'); // taken by the worker
    await weft.sleep(1);
    await p.submit('b'); // queued
    let third = false;
    const s3 = p.submit('c').then(() => { third = true; });
    await weft.sleep(5);
    const blocked = [third, p.queued];
    const joined = p.join();
    let late;
    try { await p.submit('late'); } catch (e) { late = e.name; }
    release();
    await s3;
    const stats = await joined;
    let again;
    try { await p.join(); } catch (e) { again = e.name; }
    return { blocked, done, late, stats: [stats.submitted, stats.done, stats.failed], again, closeAfter: p.close() };
  });
  assert.deepEqual(out, {
    blocked: [false, 1], done: ['a', 'b', 'c'], late: 'ClosedError', stats: [3, 3, 0], again: 'ClosedError', closeAfter: false,
  });
});

test('aborting join aborts the workers', async () => {
  const out = await run(async () => {
    const signals = [];
    const p = weft.pipeline((item, signal) => { signals.push(signal); return new Promise(() => {}); }, { workers: 2, capacity: 2 });
    await p.submit(1);
    await p.submit(2);
    await weft.sleep(1);
    const controller = new AbortController();
    const joined = p.join({ signal: controller.signal });
    controller.abort(new Error('stop'));
    let reason;
    try { await joined; } catch (e) { reason = e.message; }
    await weft.sleep(0);
    return { reason, aborted: signals.map((s) => s.aborted) };
  });
  assert.deepEqual(out, { reason: 'stop', aborted: [true, true] });
});

test('pipeline rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => {
      const p = weft.pipeline(async () => {});
      await p.submit(1);
      return (await p.join()).done === 1;
    };
    const w = async () => {};
    const live = weft.pipeline(w);
    const cases = [
      ['worker undefined', 'TypeError', () => weft.pipeline()],
      ['worker a number', 'TypeError', () => weft.pipeline(1)],
      ['worker a promise', 'TypeError', () => weft.pipeline(Promise.resolve())],
      ['options a number', 'TypeError', () => weft.pipeline(w, 1)],
      ['workers 0', 'RangeError', () => weft.pipeline(w, { workers: 0 })],
      ['workers -1', 'RangeError', () => weft.pipeline(w, { workers: -1 })],
      ['workers 1.5', 'RangeError', () => weft.pipeline(w, { workers: 1.5 })],
      ['workers NaN', 'RangeError', () => weft.pipeline(w, { workers: NaN })],
      ['workers Infinity', 'RangeError', () => weft.pipeline(w, { workers: Infinity })],
      ['workers huge', 'RangeError', () => weft.pipeline(w, { workers: 1e10 })],
      ['workers string', 'TypeError', () => weft.pipeline(w, { workers: '2' })],
      ['workers above 1e6', 'RangeError', () => weft.pipeline(w, { workers: 1e6 + 1 })],
      ['capacity above 1e6', 'RangeError', () => weft.pipeline(w, { capacity: 2e6 })],
      ['capacity 0', 'RangeError', () => weft.pipeline(w, { capacity: 0 })],
      ['capacity NaN', 'RangeError', () => weft.pipeline(w, { capacity: NaN })],
      ['capacity Infinity', 'RangeError', () => weft.pipeline(w, { capacity: Infinity })],
      ['capacity null', 'TypeError', () => weft.pipeline(w, { capacity: null })],
      ['submit bad options', 'TypeError', () => live.submit(1, 'x')],
      ['submit bad signal', 'TypeError', () => live.submit(1, { signal: 2 })],
      ['submit aborted', 'Error', () => live.submit(1, { signal: AbortSignal.abort(new Error('a')) })],
      ['join bad signal', 'TypeError', () => live.join({ signal: 'x' })],
      ['submit after close', 'ClosedError', () => { const p = weft.pipeline(w); p.close(); return p.submit(1); }],
      ['worker throws: counted, not thrown', 'no error', async () => {
        const p = weft.pipeline(() => { throw new Error('w'); });
        await p.submit(1);
        const s = await p.join();
        if (s.failed !== 1) throw new Error('not counted');
      }],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 23);
});
