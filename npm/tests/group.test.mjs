// TaskGroup in Chromium: values in spawn order, first failure aborts siblings, GroupError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('join gives every value in spawn order', async () => {
  const out = await run(async () => {
    const group = new weft.TaskGroup();
    for (const ms of [30, 10, 20]) group.spawn(() => weft.sleep(ms).then(() => ms));
    group.spawn(Promise.resolve('promise'));
    const values = await group.join();
    const empty = await new weft.TaskGroup().join();
    return { values, empty };
  });
  assert.deepEqual(out, { values: [30, 10, 20, 'promise'], empty: [] });
});

test('the first failure aborts the siblings; join lists every failure', async () => {
  const out = await run(async () => {
    const signals = [];
    const group = new weft.TaskGroup();
    group.spawn(probe(signals, 'a', -1));
    group.spawn(() => weft.sleep(5).then(() => { throw new Error('one'); }));
    group.spawn(probe(signals, 'b', -1));
    let error;
    try { await group.join(); } catch (e) {
      error = { name: e.name, message: e.message, errors: e.errors.map((x) => x.message ?? x.name), indexes: e.indexes, cause: e.cause.message };
    }
    const late = group.spawn(() => { signals.push('called'); return 1; });
    let again;
    try { await group.join(); } catch (e) { again = e.name; }
    return { error, aborted: signals.map((s) => s.aborted ?? s), late, again };
  });
  assert.equal(out.error.name, 'GroupError');
  assert.equal(out.error.cause, 'one');
  assert.equal(out.error.errors[0], 'one');
  assert.equal(out.error.indexes[0], 1);
  assert.match(out.error.message, /of 3 tasks in the group failed/);
  assert.deepEqual(out.aborted, [true, true]);
  assert.equal(out.late, false);
  assert.equal(out.again, 'ClosedError');
});

test('children may spawn while the group is joined; the signal aborts every child', async () => {
  const out = await run(async () => {
    const group = new weft.TaskGroup();
    group.spawn(async () => { await weft.sleep(5); group.spawn(async () => 'child'); return 'parent'; });
    const values = await group.join();
    const signals = [];
    const g2 = new weft.TaskGroup();
    g2.spawn(probe(signals, 1, -1));
    g2.spawn(probe(signals, 2, -1));
    const controller = new AbortController();
    const joined = g2.join({ signal: controller.signal });
    controller.abort(new Error('stop'));
    let reason;
    try { await joined; } catch (e) { reason = e.message; }
    await weft.sleep(0);
    return { values, reason, aborted: signals.map((s) => s.aborted) };
  });
  assert.deepEqual(out, { values: ['parent', 'child'], reason: 'stop', aborted: [true, true] });
});

test('TaskGroup rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => {
      const g = new weft.TaskGroup();
      g.spawn(async () => 5);
      return (await g.join())[0] === 5;
    };
    const g = new weft.TaskGroup();
    const cases = [
      ['spawn undefined', 'TypeError', () => g.spawn()],
      ['spawn null', 'TypeError', () => g.spawn(null)],
      ['spawn number', 'TypeError', () => g.spawn(1)],
      ['spawn NaN', 'TypeError', () => g.spawn(NaN)],
      ['spawn string', 'TypeError', () => g.spawn('task')],
      ['spawn symbol', 'TypeError', () => g.spawn(Symbol('s'))],
      ['spawn bigint', 'TypeError', () => g.spawn(1n)],
      ['join options a number', 'TypeError', () => new weft.TaskGroup().join(1)],
      ['join bad signal', 'TypeError', () => new weft.TaskGroup().join({ signal: {} })],
      ['join aborted signal', 'Error', () => new weft.TaskGroup().join({ signal: AbortSignal.abort(new Error('x')) })],
      ['join twice', 'ClosedError', () => { const x = new weft.TaskGroup(); x.join(); return x.join(); }],
      ['child throws synchronously', 'GroupError', () => { const x = new weft.TaskGroup(); x.spawn(() => { throw new TypeError('t'); }); return x.join(); }],
      ['child rejects with a non-error', 'GroupError', () => { const x = new weft.TaskGroup(); x.spawn(Promise.reject(42)); return x.join(); }],
      ['use after free', 'Error', () => { const x = new weft.TaskGroup(); x.free(); return x.spawn(async () => 1); }],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 14);
});
