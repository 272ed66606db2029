// wait in Chromium: FIRST_COMPLETED / FIRST_ERROR / ALL_COMPLETED, timeout, pending handles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('FIRST_COMPLETED returns every finished task and hands back the rest, still running', async () => {
  const out = await run(async () => {
    const signals = [];
    const tasks = [probe(signals, 'slow', 40), probe(signals, 'fast', 5), probe(signals, 'never', -1)];
    const { done, pending } = await weft.wait(tasks, { returnWhen: 'FIRST_COMPLETED' });
    const aborted = signals.map((s) => s.aborted);
    const slow = await pending[0];
    pending[1].cancel();
    let cancelled;
    try { await pending[1].promise; } catch (e) { cancelled = e.name; }
    return {
      done, indexes: pending.map((p) => p.index), aborted, slow, cancelled,
      samePromise: pending[0].promise === pending[0].promise,
    };
  });
  assert.deepEqual(out, {
    done: [[1, { status: 'fulfilled', value: 'fast' }]], indexes: [0, 2], aborted: [false, false, false],
    slow: 'slow', cancelled: 'AbortError', samePromise: true,
  });
});

test('FIRST_ERROR returns at the first failure; ALL_COMPLETED waits for all', async () => {
  const out = await run(async () => {
    const fail = () => weft.sleep(5).then(() => { throw new Error('bad'); });
    const first = await weft.wait([() => weft.sleep(50).then(() => 1), fail], { returnWhen: 'FIRST_ERROR' });
    first.pending.forEach((p) => p.cancel());
    const all = await weft.wait([() => weft.sleep(10).then(() => 1), fail, async () => 3]);
    const noError = await weft.wait([async () => 1, async () => 2], { returnWhen: 'FIRST_ERROR' });
    const empty = await weft.wait([]);
    return {
      first: [first.done.map(([i, s]) => [i, s.status, s.reason?.message]), first.pending.map((p) => p.index)],
      all: all.done.map(([i, s]) => [i, s.status]).sort((a, b) => a[0] - b[0]), allPending: all.pending.length,
      noError: noError.done.length, empty: [empty.done.length, empty.pending.length],
    };
  });
  assert.deepEqual(out, {
    first: [[[1, 'rejected', 'bad']], [0]],
    all: [[0, 'fulfilled'], [1, 'rejected'], [2, 'fulfilled']], allPending: 0,
    noError: 2, empty: [0, 0],
  });
});

test('the timeout returns what finished by then; a timeout of 0 returns at once', async () => {
  const out = await run(async () => {
    const started = performance.now();
    const w = await weft.wait([() => weft.sleep(5).then(() => 'a'), () => weft.sleep(5000).then(() => 'b')], { timeout: 30 });
    const took = performance.now() - started;
    w.pending.forEach((p) => p.cancel());
    const zero = await weft.wait([() => weft.sleep(50)], { timeout: 0 });
    zero.pending.forEach((p) => p.cancel());
    return { done: w.done.length, pending: w.pending.map((p) => p.index), took, zero: zero.pending.length };
  });
  assert.equal(out.done, 1);
  assert.deepEqual(out.pending, [1]);
  assert.ok(out.took >= 29 && out.took < 3000, `took ${out.took}`);
  assert.equal(out.zero, 1);
});

test('aborting the signal aborts every task', async () => {
  const out = await run(async () => {
    const signals = [];
    const controller = new AbortController();
    const waiting = weft.wait([probe(signals, 1, -1), probe(signals, 2, -1)], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 5);
    let reason;
    try { await waiting; } catch (e) { reason = e.message; }
    return { reason, aborted: signals.map((s) => s.aborted) };
  });
  assert.deepEqual(out, { reason: 'stop', aborted: [true, true] });
});

test('wait rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await weft.wait([async () => 1])).done[0][1].value === 1;
    const t = [async () => 1];
    const cases = [
      ['tasks undefined', 'TypeError', () => weft.wait()],
      ['tasks null', 'TypeError', () => weft.wait(null)],
      ['tasks number', 'TypeError', () => weft.wait(3)],
      ['tasks object', 'TypeError', () => weft.wait({})],
      ['task a number', 'TypeError', () => weft.wait([1])],
      ['task null', 'TypeError', () => weft.wait([null])],
      ['options a number', 'TypeError', () => weft.wait(t, 1)],
      ['returnWhen unknown', 'RangeError', () => weft.wait(t, { returnWhen: 'FIRST' })],
      ['returnWhen lowercase', 'RangeError', () => weft.wait(t, { returnWhen: 'first_completed' })],
      ['returnWhen a number', 'TypeError', () => weft.wait(t, { returnWhen: 1 })],
      ['returnWhen null', 'TypeError', () => weft.wait(t, { returnWhen: null })],
      ['timeout negative', 'RangeError', () => weft.wait(t, { timeout: -1 })],
      ['timeout NaN', 'RangeError', () => weft.wait(t, { timeout: NaN })],
      ['timeout a string', 'TypeError', () => weft.wait(t, { timeout: '10' })],
      ['timeout null', 'TypeError', () => weft.wait(t, { timeout: null })],
      ['timeout -Infinity', 'RangeError', () => weft.wait(t, { timeout: -Infinity })],
      ['signal not a signal', 'TypeError', () => weft.wait(t, { signal: 1 })],
      ['signal aborted', 'Error', () => weft.wait(t, { signal: AbortSignal.abort(new Error('gone')) })],
      ['cancel of a promise task is a no-op', 'no error', async () => {
        const w = await weft.wait([Promise.resolve(1), new Promise(() => {})], { returnWhen: 'FIRST_COMPLETED' });
        w.pending[0].cancel('why');
      }],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 19);
});
