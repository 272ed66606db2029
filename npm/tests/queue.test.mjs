// Queue and PriorityQueue in Chromium: FIFO, backpressure, close drains, taskDone/join.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('put waits while the queue is full (backpressure); get takes in order', async () => {
  const out = await run(async () => {
    const q = new weft.Queue({ capacity: 2 });
    await q.put('a');
    await q.put('b');
    let third = false;
    const p = q.put('c').then(() => { third = true; });
    await weft.sleep(5);
    const blocked = [third, q.size, q.capacity];
    const first = await q.get();
    await p;
    const got = [first, await q.get(), await q.get()];
    const unbounded = new weft.Queue();
    for (let i = 0; i < 1000; i += 1) unbounded.tryPut(i);
    return { blocked, third, got, size: unbounded.size, cap: unbounded.capacity, tryFull: q.tryPut(1) && q.tryPut(2) && q.tryPut(3) };
  });
  assert.deepEqual(out, { blocked: [false, 2, 2], third: true, got: ['a', 'b', 'c'], size: 1000, cap: Infinity, tryFull: false });
});

test('close drains what is queued, then get and put reject with ClosedError', async () => {
  const out = await run(async () => {
    const q = new weft.Queue();
    await q.put(1);
    await q.put(2);
    const waiting = new weft.Queue();
    const blockedGet = waiting.get();
    const firstClose = q.close();
    const secondClose = q.close();
    waiting.close();
    const drained = [await q.get(), await q.get()];
    const errors = [];
    for (const call of [() => q.get(), () => q.put(3), () => blockedGet]) {
      try { await call(); errors.push('resolved'); } catch (e) { errors.push(e.name); }
    }
    let tryPut;
    try { q.tryPut(4); } catch (e) { tryPut = e.name; }
    const items = [];
    const r = new weft.Queue();
    for (const x of ['x', 'y']) await r.put(x);
    r.close();
    for await (const item of r) items.push(item);
    return { firstClose, secondClose, drained, errors, tryPut, closed: q.closed, tryGet: q.tryGet(), items };
  });
  assert.deepEqual(out, {
    firstClose: true, secondClose: false, drained: [1, 2], errors: ['ClosedError', 'ClosedError', 'ClosedError'],
    tryPut: 'ClosedError', closed: true, tryGet: undefined, items: ['x', 'y'],
  });
});

test('taskDone and join: join resolves once every item is processed', async () => {
  const out = await run(async () => {
    const q = new weft.Queue({ capacity: 3 });
    const processed = [];
    const consumers = [1, 2].map(async () => {
      for (;;) {
        const item = await q.get();
        if (item === null) return;
        await weft.sleep(2);
        processed.push(item);
        q.taskDone();
      }
    });
    for (let i = 0; i < 10; i += 1) await q.put(i);
    const unfinishedBefore = q.unfinished;
    await q.join();
    const count = processed.length;
    await q.put(null); await q.put(null);
    await Promise.all(consumers);
    let tooMany;
    try { q.taskDone(); q.taskDone(); q.taskDone(); } catch (e) { tooMany = e.name; }
    return { count, unfinishedBefore: unfinishedBefore > 0, tooMany, sorted: processed.sort((a, b) => a - b).join() };
  });
  assert.deepEqual(out, { count: 10, unfinishedBefore: true, tooMany: 'RangeError', sorted: '0,1,2,3,4,5,6,7,8,9' });
});

test('an aborted put puts nothing; an aborted get takes nothing', async () => {
  const out = await run(async () => {
    const q = new weft.Queue({ capacity: 1 });
    await q.put('kept');
    const c1 = new AbortController();
    const put = q.put('dropped', { signal: c1.signal });
    c1.abort(new Error('no put'));
    const e = new weft.Queue();
    const c2 = new AbortController();
    const get = e.get({ signal: c2.signal });
    c2.abort(new Error('no get'));
    const reasons = [];
    for (const p of [put, get]) { try { await p; } catch (err) { reasons.push(err.message); } }
    await e.put('for the next');
    return { reasons, size: q.size, item: await q.get(), next: await e.get() };
  });
  assert.deepEqual(out, { reasons: ['no put', 'no get'], size: 1, item: 'kept', next: 'for the next' });
});

test('PriorityQueue pops the smallest priority first, in order among equals', async () => {
  const out = await run(async () => {
    const q = new weft.PriorityQueue({ capacity: 10 });
    await q.put('low', { priority: 5 });
    await q.put('high', { priority: -1 });
    await q.put('default a');
    await q.put('default b', { priority: 0 });
    q.tryPut('tiny', { priority: -Infinity });
    const got = [];
    while (q.size) got.push(await q.get());
    const full = new weft.PriorityQueue({ capacity: 1 });
    await full.put(1);
    const tryFull = full.tryPut(2);
    return { got, tryFull };
  });
  assert.deepEqual(out, { got: ['tiny', 'high', 'default a', 'default b', 'low'], tryFull: false });
});

test('the queues reject bad input, and keep working', async () => {
  const rows = await run(async () => {
    const valid = async () => {
      const q = new weft.Queue({ capacity: 1 });
      await q.put(1);
      const p = new weft.PriorityQueue();
      await p.put('x', { priority: 1 });
      return (await q.get()) === 1 && (await p.get()) === 'x';
    };
    const cases = [];
    for (const Q of ['Queue', 'PriorityQueue']) {
      const make = (o) => new weft[Q](o);
      const q = make();
      cases.push(
        [`${Q} options a number`, 'TypeError', () => make(5)],
        [`${Q} options a string`, 'TypeError', () => make('x')],
        [`${Q} capacity 0`, 'RangeError', () => make({ capacity: 0 })],
        [`${Q} capacity -1`, 'RangeError', () => make({ capacity: -1 })],
        [`${Q} capacity 2.5`, 'RangeError', () => make({ capacity: 2.5 })],
        [`${Q} capacity NaN`, 'RangeError', () => make({ capacity: NaN })],
        [`${Q} capacity huge`, 'RangeError', () => make({ capacity: 1e15 })],
        [`${Q} capacity above 1e6 (allocated up front)`, 'RangeError', () => make({ capacity: 2e6 })],
        [`${Q} capacity string`, 'TypeError', () => make({ capacity: '3' })],
        [`${Q} capacity null`, 'TypeError', () => make({ capacity: null })],
        [`${Q} put bad options`, 'TypeError', () => q.put(1, 7)],
        [`${Q} put bad signal`, 'TypeError', () => q.put(1, { signal: 'x' })],
        [`${Q} put aborted`, 'Error', () => q.put(1, { signal: AbortSignal.abort(new Error('a')) })],
        [`${Q} get bad options`, 'TypeError', () => q.get(7)],
        [`${Q} get aborted`, 'Error', () => q.get({ signal: AbortSignal.abort(new Error('a')) })],
        [`${Q} join bad signal`, 'TypeError', () => q.join({ signal: 1 })],
        [`${Q} taskDone too often`, 'RangeError', () => make().taskDone()],
        [`${Q} put after close`, 'ClosedError', () => { const c = make(); c.close(); return c.put(1); }],
        [`${Q} get after close`, 'ClosedError', () => { const c = make(); c.close(); return c.get(); }],
        [`${Q} tryPut after close`, 'ClosedError', () => { const c = make(); c.close(); return c.tryPut(1); }],
      );
    }
    const p = new weft.PriorityQueue();
    cases.push(
      ['priority NaN', 'RangeError', () => p.put('x', { priority: NaN })],
      ['priority string', 'TypeError', () => p.put('x', { priority: '1' })],
      ['priority null', 'TypeError', () => p.put('x', { priority: null })],
      ['priority object', 'TypeError', () => p.tryPut('x', { priority: {} })],
      ['tryPut bad options', 'TypeError', () => p.tryPut('x', 3)],
    );
    return bad(cases, valid);
  });
  assertBad(rows, 45);
});
