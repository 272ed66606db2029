// Pool in Chromium: max never exceeded, reuse, health check, discard, timeout, close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('never more than max objects; idle ones are reused; waiters in line', async () => {
  const out = await run(async () => {
    let made = 0;
    let lent = 0;
    let most = 0;
    const pool = new weft.Pool({ create: async () => ({ id: ++made }), max: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.use(async (conn) => {
      lent += 1;
      most = Math.max(most, lent);
      await weft.sleep(3);
      lent -= 1;
      return conn.id;
    })));
    return { made, most, ids: [...new Set(results)].sort(), status: pool.status() };
  });
  assert.deepEqual(out, {
    made: 2, most: 2, ids: [1, 2], status: { size: 2, idle: 2, inUse: 0, waiting: 0, max: 2, closed: false },
  });
});

test('min objects are made at once; check replaces broken ones; discard destroys', async () => {
  const out = await run(async () => {
    let made = 0;
    const destroyed = [];
    const pool = new weft.Pool({
      create: async () => ({ id: ++made, ok: true }),
      check: async (conn) => conn.ok,
      destroy: (conn) => { destroyed.push(conn.id); },
      min: 2, max: 3,
    });
    const first = await pool.acquire();
    const afterMin = made;
    first.value.ok = false;
    first.release();
    first.release(); // only the first call counts
    const second = await pool.acquire(); // the idle #2 (FIFO), fine
    const third = await pool.acquire(); // #1 is broken: destroyed and replaced by #3
    const ids = [second.value.id, third.value.id];
    third.discard();
    second.release();
    return { afterMin, ids, destroyed, valueAfter: third.value, status: pool.status() };
  });
  assert.deepEqual(out, {
    afterMin: 2, ids: [2, 3], destroyed: [1, 3], valueAfter: undefined,
    status: { size: 1, idle: 1, inUse: 0, waiting: 0, max: 3, closed: false },
  });
});

test('acquire times out with TimeoutError; an aborted acquire takes nothing', async () => {
  const out = await run(async () => {
    const pool = new weft.Pool({ create: () => 'only', max: 1, acquireTimeout: 20 });
    const lease = await pool.acquire();
    let timeout;
    try { await pool.acquire(); } catch (e) { timeout = [e.name, e.timeout]; }
    const c = new AbortController();
    const waiting = pool.acquire({ signal: c.signal });
    c.abort(new Error('no'));
    let reason;
    try { await waiting; } catch (e) { reason = e.message; }
    lease.release();
    const again = await pool.acquire();
    return { timeout, reason, again: again.value, status: pool.status() };
  });
  assert.deepEqual(out, {
    timeout: ['TimeoutError', 20], reason: 'no', again: 'only',
    status: { size: 1, idle: 0, inUse: 1, waiting: 0, max: 1, closed: false },
  });
});

test('close fails waiters, destroys idle objects now and lent ones when they come back', async () => {
  const out = await run(async () => {
    const destroyed = [];
    let n = 0;
    const pool = new weft.Pool({ create: () => ++n, destroy: (x) => { destroyed.push(x); }, max: 2 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    const idle = new weft.Pool({ create: () => 'idle', destroy: (x) => { destroyed.push(x); }, min: 1 });
    const waiter = pool.acquire().catch((e) => e.name);
    await weft.sleep(1);
    let closedResolved = false;
    const closing = pool.close().then(() => { closedResolved = true; });
    await idle.close();
    await weft.sleep(5);
    const mid = [closedResolved, [...destroyed]];
    b.release();
    a.release();
    await closing;
    let after;
    try { await pool.acquire(); } catch (e) { after = e.name; }
    return { waiter: await waiter, mid, destroyed, after, closed: pool.status().closed };
  });
  assert.deepEqual(out, {
    waiter: 'ClosedError', mid: [false, ['idle']], destroyed: ['idle', 2, 1], after: 'ClosedError', closed: true,
  });
});

test('create failing: acquire rejects with its error and frees the place; use aborts on signal', async () => {
  const out = await run(async () => {
    let fail = true;
    const pool = new weft.Pool({ create: async () => { if (fail) throw new Error('down'); return 'up'; }, max: 1 });
    let error;
    try { await pool.acquire(); } catch (e) { error = e.message; }
    fail = false;
    const value = await pool.use(async (x) => x);
    const broken = new weft.Pool({ create: () => { throw new Error('never'); }, min: 1 });
    let minError;
    try { await broken.acquire(); } catch (e) { minError = e.message; }
    const signals = [];
    const c = new AbortController();
    const using = pool.use((x, signal) => { signals.push(signal); return new Promise(() => {}); }, { signal: c.signal });
    await weft.sleep(1);
    c.abort(new Error('stop'));
    let reason;
    try { await using; } catch (e) { reason = e.message; }
    return { error, value, minError, reason, aborted: signals[0].aborted, status: pool.status().inUse };
  });
  assert.deepEqual(out, { error: 'down', value: 'up', minError: 'never', reason: 'stop', aborted: true, status: 0 });
});

test('Pool rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await new weft.Pool({ create: () => 1 }).use(async (x) => x + 1)) === 2;
    const create = () => ({});
    const P = (o) => new weft.Pool(o);
    const pool = P({ create });
    const cases = [
      ['no options', 'TypeError', () => P()],
      ['null options', 'TypeError', () => P(null)],
      ['string options', 'TypeError', () => P('x')],
      ['no create', 'TypeError', () => P({})],
      ['create a number', 'TypeError', () => P({ create: 1 })],
      ['create a promise', 'TypeError', () => P({ create: Promise.resolve(1) })],
      ['check a string', 'TypeError', () => P({ create, check: 'x' })],
      ['destroy a number', 'TypeError', () => P({ create, destroy: 2 })],
      ['min -1', 'RangeError', () => P({ create, min: -1 })],
      ['min 1.5', 'RangeError', () => P({ create, min: 1.5 })],
      ['min NaN', 'RangeError', () => P({ create, min: NaN })],
      ['min above max', 'RangeError', () => P({ create, min: 3, max: 2 })],
      ['min above 1e6', 'RangeError', () => P({ create, min: 2e6, max: 1e9 })],
      ['max 0', 'RangeError', () => P({ create, max: 0 })],
      ['max Infinity', 'RangeError', () => P({ create, max: Infinity })],
      ['max huge', 'RangeError', () => P({ create, max: 2 ** 40 })],
      ['max string', 'TypeError', () => P({ create, max: '2' })],
      ['acquireTimeout -1', 'RangeError', () => P({ create, acquireTimeout: -1 })],
      ['acquireTimeout NaN', 'RangeError', () => P({ create, acquireTimeout: NaN })],
      ['acquireTimeout string', 'TypeError', () => P({ create, acquireTimeout: '5' })],
      ['acquire bad options', 'TypeError', () => pool.acquire(1)],
      ['acquire bad signal', 'TypeError', () => pool.acquire({ signal: 'x' })],
      ['acquire aborted', 'Error', () => pool.acquire({ signal: AbortSignal.abort(new Error('a')) })],
      ['use without fn', 'TypeError', () => pool.use()],
      ['use a number', 'TypeError', () => pool.use(5)],
      ['use bad signal', 'TypeError', () => pool.use(async () => 1, { signal: 1 })],
      ['use fn throws', 'RangeError', () => pool.use(() => { throw new RangeError('r'); })],
      ['create rejects', 'Error', () => P({ create: () => Promise.reject(new Error('c')) }).acquire()],
      ['check throws: replaced, not thrown', 'no error', async () => {
        let n = 0;
        const p = P({ create: () => ++n, check: () => { throw new Error('chk'); } });
        (await p.acquire()).release();
        const l = await p.acquire();
        if (l.value !== 2) throw new Error(`got ${l.value}`);
      }],
      ['destroy throws and rejects: ignored', 'no error', async () => {
        const p = P({ create, destroy: (x) => { if (x) throw new Error('d'); } });
        (await p.acquire()).discard();
        const q = P({ create, destroy: () => Promise.reject(new Error('d2')) });
        (await q.acquire()).discard();
        await weft.sleep(1);
      }],
      ['acquire after close', 'ClosedError', async () => { const p = P({ create }); await p.close(); return p.acquire(); }],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 31);
});
