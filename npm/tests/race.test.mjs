// race and firstOk in Chromium: winners, losers aborted, GroupError, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('race gives the first to settle and aborts the losers at once', async () => {
  const out = await run(async () => {
    const signals = [];
    const winner = await weft.race([probe(signals, 'slow', 50), probe(signals, 'fast', 5), probe(signals, 'never', -1)]);
    const aborted = signals.map((s) => s.aborted);
    let error;
    try { await weft.race([() => weft.sleep(5).then(() => { throw new Error('first'); }), () => weft.sleep(50)]); } catch (e) { error = e.message; }
    return { winner, aborted, error };
  });
  assert.deepEqual(out, { winner: [1, 'fast'], aborted: [true, false, true], error: 'first' });
});

test('firstOk skips failures; all failing gives a GroupError with every error', async () => {
  const out = await run(async () => {
    const signals = [];
    const fail = (m, ms) => () => weft.sleep(ms).then(() => { throw new Error(m); });
    const winner = await weft.firstOk([fail('a', 1), probe(signals, 'ok', 10), probe(signals, 'never', -1)]);
    const aborted = signals.map((s) => s.aborted);
    let group;
    try { await weft.firstOk([fail('x', 10), fail('y', 1)]); } catch (e) {
      group = { name: e.name, isGroup: e instanceof weft.GroupError, isWeft: e instanceof weft.WeftError,
        errors: e.errors.map((x) => x.message), indexes: e.indexes, cause: e.cause.message, message: e.message };
    }
    return { winner, aborted, group };
  });
  assert.deepEqual(out, {
    winner: [1, 'ok'], aborted: [false, true],
    group: { name: 'GroupError', isGroup: true, isWeft: true, errors: ['x', 'y'], indexes: [0, 1], cause: 'x', message: 'all 2 tasks failed' },
  });
});

test('race and firstOk follow the signal', async () => {
  const out = await run(async () => {
    const signals = [];
    const controller = new AbortController();
    const r = weft.race([probe(signals, 1, -1)], { signal: controller.signal });
    const f = weft.firstOk([probe(signals, 2, -1)], { signal: controller.signal });
    controller.abort(new Error('stop'));
    const reasons = [];
    for (const p of [r, f]) { try { await p; } catch (e) { reasons.push(e.message); } }
    return { reasons, aborted: signals.map((s) => s.aborted) };
  });
  assert.deepEqual(out, { reasons: ['stop', 'stop'], aborted: [true, true] });
});

test('race and firstOk reject bad input, and keep working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await weft.race([async () => 1]))[1] === 1 && (await weft.firstOk([async () => 2]))[1] === 2;
    const cases = [];
    for (const name of ['race', 'firstOk']) {
      const f = weft[name];
      cases.push(
        [`${name} undefined`, 'TypeError', () => f()],
        [`${name} null`, 'TypeError', () => f(null)],
        [`${name} number`, 'TypeError', () => f(1)],
        [`${name} string`, 'TypeError', () => f('ab')],
        [`${name} empty`, 'RangeError', () => f([])],
        [`${name} empty Set`, 'RangeError', () => f(new Set())],
        [`${name} task a number`, 'TypeError', () => f([1])],
        [`${name} task a boolean`, 'TypeError', () => f([true])],
        [`${name} options a number`, 'TypeError', () => f([async () => 1], 7)],
        [`${name} bad signal`, 'TypeError', () => f([async () => 1], { signal: 'x' })],
        [`${name} aborted signal`, 'Error', () => f([async () => 1], { signal: AbortSignal.abort(new Error('a')) })],
        [`${name} task throws`, name === 'race' ? 'RangeError' : 'GroupError', () => f([() => { throw new RangeError('r'); }])],
      );
    }
    return bad(cases, valid);
  });
  assertBad(rows, 24);
});
