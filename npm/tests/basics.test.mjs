// sleep, timeout and gather from the built package, in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPackage } from './util.mjs';

let ctx;
before(async () => { ctx = await openPackage(); });
after(async () => {
  await ctx.browser.close();
  assert.deepEqual(ctx.errors, [], 'no console errors');
});
const run = (fn, arg) => ctx.page.evaluate(fn, arg);

test('sleep waits at least the time asked', async () => {
  const took = await run(async () => {
    const start = performance.now();
    await weft.sleep(30);
    return performance.now() - start;
  });
  assert.ok(took >= 29.5, `slept ${took} ms`);
});

test('sleep rejects bad durations with TypeError and RangeError', async () => {
  const out = await run(async () => {
    const names = [];
    for (const bad of ['10', -1, NaN, Infinity, undefined, null, {}]) {
      try { await weft.sleep(bad); names.push('resolved'); } catch (e) { names.push(e.constructor.name); }
    }
    return names;
  });
  assert.deepEqual(out, ['TypeError', 'RangeError', 'RangeError', 'RangeError', 'TypeError', 'TypeError', 'TypeError']);
});

test('an aborted signal rejects with its reason and starts nothing', async () => {
  const out = await run(async () => {
    const already = AbortSignal.abort(new Error('stop'));
    let started = 0;
    const task = () => { started += 1; return 1; };
    const reasons = [];
    for (const call of [
      () => weft.sleep(10, { signal: already }),
      () => weft.timeout(task, 10, { signal: already }),
      () => weft.gather([task, task], { signal: already }),
    ]) {
      try { await call(); reasons.push('resolved'); } catch (e) { reasons.push(e.message); }
    }
    const controller = new AbortController();
    const pending = weft.sleep(60_000, { signal: controller.signal });
    controller.abort(new Error('later'));
    try { await pending; } catch (e) { reasons.push(e.message); }
    return { reasons, started };
  });
  assert.deepEqual(out, { reasons: ['stop', 'stop', 'stop', 'later'], started: 0 });
});

test('timeout rejects with TimeoutError and aborts the task', async () => {
  const out = await run(async () => {
    let taskSignal;
    const task = (signal) => { taskSignal = signal; return new Promise(() => {}); };
    try {
      await weft.timeout(task, 20);
      return 'resolved';
    } catch (e) {
      return {
        name: e.name, isTimeout: e instanceof weft.TimeoutError, isWeft: e instanceof weft.WeftError,
        timeout: e.timeout, message: e.message, aborted: taskSignal.aborted,
      };
    }
  });
  assert.deepEqual(out, {
    name: 'TimeoutError', isTimeout: true, isWeft: true, timeout: 20,
    message: 'timed out after 20 ms', aborted: true,
  });
});

test('timeout passes values, errors and fallbacks through', async () => {
  const out = await run(async () => {
    const value = await weft.timeout(async () => 'fast', 1_000);
    const promised = await weft.timeout(Promise.resolve(7), 1_000);
    const fallback = await weft.timeout(() => new Promise(() => {}), 5, { fallback: 'default' });
    let thrown;
    try { await weft.timeout(() => { throw new Error('sync throw'); }, 1_000); } catch (e) { thrown = e.message; }
    return { value, promised, fallback, thrown };
  });
  assert.deepEqual(out, { value: 'fast', promised: 7, fallback: 'default', thrown: 'sync throw' });
});

test('gather keeps input order and fails fast, aborting the rest', async () => {
  const out = await run(async () => {
    const delays = [30, 10, 20];
    const ordered = await weft.gather(delays.map((ms) => () => weft.sleep(ms).then(() => ms)));
    const signals = [];
    let error;
    try {
      await weft.gather([
        (s) => { signals.push(s); return weft.sleep(5).then(() => { throw new Error('first'); }); },
        (s) => { signals.push(s); return new Promise(() => {}); },
      ]);
    } catch (e) { error = e.message; }
    const settled = await weft.gather([async () => 1, async () => { throw new Error('x'); }], { settle: true });
    return { ordered, error, aborted: signals.map((s) => s.aborted), settled: settled.map((s) => s.status) };
  });
  assert.deepEqual(out, {
    ordered: [30, 10, 20], error: 'first', aborted: [false, true], settled: ['fulfilled', 'rejected'],
  });
});

test('gather rejects non-iterables and non-tasks with TypeError', async () => {
  const out = await run(async () => {
    const names = [];
    for (const bad of [42, undefined, 'abc', [1, 2]]) {
      try { await weft.gather(bad); names.push('resolved'); } catch (e) { names.push(e.name); }
    }
    // The module still works afterwards.
    names.push((await weft.gather([async () => 'ok']))[0]);
    return names;
  });
  assert.deepEqual(out, ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'ok']);
});
