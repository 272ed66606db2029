// RateLimiter in Chromium: never more than max starts in any window of per, burst, signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('never more than max starts in any window of per, in order', async () => {
  const out = await run(async () => {
    const limiter = new weft.RateLimiter({ max: 3, per: 150 });
    const starts = [];
    const order = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => limiter.run(async () => {
      starts.push(performance.now());
      order.push(i);
    })));
    return { starts, order };
  });
  const { starts, order } = out;
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
  // The page records a start a little after weft allowed it (never before), so a window can
  // look shorter by that delay: 25 ms of slack on a busy machine. A limiter that let 4 starts
  // into one window would show a gap near 0.
  for (let i = 0; i + 3 < starts.length; i += 1) {
    assert.ok(starts[i + 3] - starts[i] >= 125, `starts ${i}..${i + 3} within ${starts[i + 3] - starts[i]} ms`);
  }
  assert.ok(starts[7] - starts[0] >= 2 * 150 - 25);
});

test('burst spreads the starts inside the window; tryAcquire does not wait', async () => {
  const out = await run(async () => {
    const limiter = new weft.RateLimiter({ max: 4, per: 80, burst: 2 });
    const starts = [];
    const t0 = performance.now();
    for (let i = 0; i < 4; i += 1) { await limiter.acquire(); starts.push(performance.now() - t0); }
    const other = new weft.RateLimiter({ max: 1, per: 10_000 });
    return { starts, tries: [other.tryAcquire(), other.tryAcquire()] };
  });
  // Two at once, the next two only after the burst window (80 × 2 / 4 = 40 ms).
  assert.ok(out.starts[1] < 35, `${out.starts}`);
  assert.ok(out.starts[2] >= 39, `${out.starts}`);
  assert.deepEqual(out.tries, [true, false]);
});

test('a waiter that gives up uses no slot; a running task sees its signal abort', async () => {
  const out = await run(async () => {
    const limiter = new weft.RateLimiter({ max: 1, per: 40 });
    await limiter.acquire();
    const controller = new AbortController();
    let started = false;
    const waiting = limiter.run(() => { started = true; }, { signal: controller.signal });
    controller.abort(new Error('no'));
    let reason;
    try { await waiting; } catch (e) { reason = e.message; }
    const t0 = performance.now();
    await limiter.acquire();
    const waited = performance.now() - t0;
    return { reason, started, waited };
  });
  assert.equal(out.reason, 'no');
  assert.equal(out.started, false);
  assert.ok(out.waited < 75, `the next acquire waited ${out.waited} ms`);
});

test('RateLimiter rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => { await new weft.RateLimiter({ max: 1, per: 10 }).acquire(); return true; };
    const R = (o) => new weft.RateLimiter(o);
    const ok = new weft.RateLimiter({ max: 2, per: 10 });
    const cases = [
      ['no options', 'TypeError', () => R()],
      ['null options', 'TypeError', () => R(null)],
      ['number options', 'TypeError', () => R(5)],
      ['no max', 'TypeError', () => R({ per: 10 })],
      ['no per', 'TypeError', () => R({ max: 1 })],
      ['max 0', 'RangeError', () => R({ max: 0, per: 10 })],
      ['max -1', 'RangeError', () => R({ max: -1, per: 10 })],
      ['max 1.5', 'RangeError', () => R({ max: 1.5, per: 10 })],
      ['max NaN', 'RangeError', () => R({ max: NaN, per: 10 })],
      ['max Infinity', 'RangeError', () => R({ max: Infinity, per: 10 })],
      ['max huge', 'RangeError', () => R({ max: 1e10, per: 10 })],
      ['max string', 'TypeError', () => R({ max: '1', per: 10 })],
      ['per 0', 'RangeError', () => R({ max: 1, per: 0 })],
      ['per tiny', 'RangeError', () => R({ max: 1, per: 1e-9 })],
      ['per negative', 'RangeError', () => R({ max: 1, per: -5 })],
      ['per NaN', 'RangeError', () => R({ max: 1, per: NaN })],
      ['per Infinity', 'RangeError', () => R({ max: 1, per: Infinity })],
      ['per 1e300', 'RangeError', () => R({ max: 1, per: 1e300 })],
      ['per string', 'TypeError', () => R({ max: 1, per: '10' })],
      ['burst 0', 'RangeError', () => R({ max: 2, per: 10, burst: 0 })],
      ['burst above max', 'RangeError', () => R({ max: 2, per: 10, burst: 3 })],
      ['burst NaN', 'RangeError', () => R({ max: 2, per: 10, burst: NaN })],
      ['burst null', 'TypeError', () => R({ max: 2, per: 10, burst: null })],
      ['run(undefined)', 'TypeError', () => ok.run()],
      ['run(number)', 'TypeError', () => ok.run(3)],
      ['run bad options', 'TypeError', () => ok.run(async () => 1, 'x')],
      ['run bad signal', 'TypeError', () => ok.run(async () => 1, { signal: 0 })],
      ['run aborted', 'Error', () => ok.run(async () => 1, { signal: AbortSignal.abort(new Error('a')) })],
      ['acquire bad options', 'TypeError', () => ok.acquire(1)],
      ['acquire aborted', 'Error', () => ok.acquire({ signal: AbortSignal.abort(new Error('a')) })],
      ['task throws', 'TypeError', () => ok.run(() => { throw new TypeError('t'); })],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 31);
});
