// WorkerPool in Chromium: module functions and Rust built-ins on Web Workers, moved buffers,
// timeouts, aborts, errors, crashes and recovery, close vs terminate, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('runs a function of the app module on a worker, and the Rust built-ins', async () => {
  const out = await run(async () => {
    const pool = await weft.WorkerPool.create({ module: new URL('./tasks.js', location.href), size: 2 });
    const sum = await pool.run('add', [2, 40]);
    const where = await pool.run('whereAmI', []);
    const later = await pool.run('later', ['hi', 5]);
    const primes = await pool.run('builtin:countPrimes', [10_000]);
    const inverted = await pool.run('builtin:invert', [new Uint8Array([0, 1, 255])]);
    const mapped = await pool.map('later', [1, 2, 3]);
    await pool.close();
    return { size: pool.size, sum, where, later, primes, inverted: [...inverted], mapped };
  });
  assert.deepEqual(out, {
    size: 2, sum: 42, where: 'worker', later: 'hi', primes: 1229, inverted: [255, 254, 0],
    mapped: [1, 2, 3],
  });
});

test('map keeps input order and reports progress; a pool without a module runs built-ins', async () => {
  const out = await run(async () => {
    const pool = await weft.WorkerPool.create({ size: 2 });
    const progress = [];
    const counts = await pool.map('builtin:countPrimes', [100, 10, 1000, 2], {
      onProgress: (p) => progress.push([p.done, p.total]),
    });
    await pool.terminate();
    return { counts, progress };
  });
  assert.deepEqual(out, {
    counts: [25, 4, 168, 0],
    progress: [[1, 4], [2, 4], [3, 4], [4, 4]],
  });
});

test('a transferred ArrayBuffer moves to the worker and back (the source is detached)', async () => {
  const out = await run(async () => {
    const pool = await weft.WorkerPool.create({ module: new URL('./tasks.js', location.href), size: 1 });
    const buffer = new Uint8Array(1 << 20).fill(7).buffer;
    const back = await pool.run('invert', [buffer], { transfer: [buffer] });
    const moved = { sourceLength: buffer.byteLength, detached: buffer.detached, backLength: back.byteLength, byte: new Uint8Array(back)[12345] };
    // Not listed in transfer: copied, the caller's buffer stays whole.
    const kept = new Uint8Array(16).fill(1).buffer;
    const copy = await pool.run('invert', [kept]);
    // A built-in: the listed buffer moves too, the unlisted one is copied.
    const rust = new Uint8Array([1, 2, 3]).buffer;
    const viaRust = await pool.run('builtin:invert', [rust], { transfer: [rust] });
    const rustKept = new Uint8Array([9]);
    await pool.run('builtin:invert', [rustKept]);
    await pool.close();
    return {
      ...moved, keptLength: kept.byteLength, copyByte: new Uint8Array(copy)[0],
      rustDetached: rust.detached, viaRust: [...viaRust], rustKept: [...rustKept],
    };
  });
  assert.deepEqual(out, {
    sourceLength: 0, detached: true, backLength: 1 << 20, byte: 248, keptLength: 16, copyByte: 254,
    rustDetached: true, viaRust: [254, 253, 252], rustKept: [9],
  });
});

test('a timeout rejects with TimeoutError, its worker is replaced, and the next job works', async () => {
  const out = await run(async () => {
    const module = new URL('./tasks.js', location.href);
    const pool = await weft.WorkerPool.create({ module, size: 1, timeout: 300 });
    let poolWide;
    try { await pool.run('spin', []); } catch (e) { poolWide = [e.name, e.timeout, e instanceof weft.TimeoutError]; }
    const after = await pool.run('add', [1, 2]);
    let perCall;
    try { await pool.run('spin', [], { timeout: 50 }); } catch (e) { perCall = [e.name, e.timeout]; }
    const again = await pool.run('add', [3, 4]);
    await pool.terminate();
    return { poolWide, after, perCall, again };
  });
  assert.deepEqual(out, {
    poolWide: ['TimeoutError', 300, true], after: 3, perCall: ['TimeoutError', 50], again: 7,
  });
});

test('aborting the signal rejects with its reason and replaces the worker; the next job works', async () => {
  const out = await run(async () => {
    const pool = await weft.WorkerPool.create({ module: new URL('./tasks.js', location.href), size: 1 });
    const c = new AbortController();
    const stuck = pool.run('spin', [], { signal: c.signal });
    setTimeout(() => c.abort(), 50);
    let aborted;
    try { await stuck; } catch (e) { aborted = e.name; }
    const reason = new Error('stop');
    let early;
    try { await pool.run('add', [1, 1], { signal: AbortSignal.abort(reason) }); } catch (e) { early = e === reason; }
    const next = await pool.run('add', [20, 22]);
    await pool.close();
    return { aborted, early, next };
  });
  assert.deepEqual(out, { aborted: 'AbortError', early: true, next: 42 });
});

test('what a module function throws is a WorkerError with its message; crashes recover', async () => {
  const out = await run(async () => {
    const pool = await weft.WorkerPool.create({ module: new URL('./tasks.js', location.href), size: 1 });
    const failure = async (name, args) => {
      try { await pool.run(name, args); return 'resolved'; } catch (e) {
        return [e.name, e.kind, e.message, e instanceof weft.WorkerError, e.cause?.name ?? null];
      }
    };
    const threw = await failure('fail', ['bad input']);
    const unknown = await failure('noSuchExport', []);
    const unsendable = await failure('unsendable', []);
    const builtin = await failure('builtin:nope', []);
    const ok = await pool.run('add', [1, 1]);
    const missing = await weft.WorkerPool.create({ module: '/no/such/module.js', size: 1 });
    const crashed = await missing.run('add', [1, 2]).then(() => 'resolved', (e) => [e.name, e.kind]);
    const recovered = await missing.run('builtin:countPrimes', [10]);
    await missing.terminate();
    await pool.close();
    return { threw, unknown: unknown.slice(0, 2), unsendable: unsendable.slice(0, 2), builtin: builtin.slice(0, 2), ok, crashed, recovered };
  });
  assert.deepEqual(out, {
    threw: ['WorkerError', 'threw', 'bad input', true, 'RangeError'],
    unknown: ['WorkerError', 'unknown'],
    unsendable: ['WorkerError', 'threw'],
    builtin: ['WorkerError', 'unknown'],
    ok: 2,
    crashed: ['WorkerError', 'crashed'],
    recovered: 4,
  });
});

test('close finishes queued jobs; terminate fails them; both refuse new ones', async () => {
  const out = await run(async () => {
    const module = new URL('./tasks.js', location.href);
    const outcome = (p) => p.then((v) => v, (e) => `${e.name}:${e.kind ?? ''}`);
    const a = await weft.WorkerPool.create({ module, size: 1 });
    const queued = [a.run('later', [1, 30]), a.run('later', [2, 1]), a.run('add', [1, 2])].map(outcome);
    const closing = a.close();
    const refused = await outcome(a.run('add', [1, 1]));
    await closing;
    const closed = await Promise.all(queued);

    const b = await weft.WorkerPool.create({ module, size: 1 });
    const killed = [b.run('spin', []), b.run('add', [1, 2])].map(outcome);
    await new Promise((r) => setTimeout(r, 50));
    await b.terminate();
    const terminated = await Promise.all(killed);
    const after = await outcome(b.run('add', [1, 1]));
    return { refused, closed, terminated, after };
  });
  assert.deepEqual(out, {
    refused: 'ClosedError:', closed: [1, 2, 3],
    terminated: ['WorkerError:terminated', 'WorkerError:terminated'], after: 'ClosedError:',
  });
});

test('bad input: TypeError / RangeError at the call, never a trap; the pool keeps working', async () => {
  const rows = await run(async () => {
    const module = new URL('./tasks.js', location.href);
    const pool = await weft.WorkerPool.create({ module, size: 1 });
    const create = (options) => weft.WorkerPool.create(options);
    const detached = new ArrayBuffer(8);
    structuredClone(detached, { transfer: [detached] });
    const twice = new ArrayBuffer(8);
    const c = new AbortController();
    const rows = await window.bad([
      ['size 0', 'RangeError', () => create({ size: 0 })],
      ['size NaN', 'RangeError', () => create({ size: NaN })],
      ['size 1.5', 'RangeError', () => create({ size: 1.5 })],
      ['size a string', 'TypeError', () => create({ size: '2' })],
      ['queue 0', 'RangeError', () => create({ queue: 0 })],
      ['timeout 0', 'RangeError', () => create({ timeout: 0 })],
      ['timeout -1', 'RangeError', () => create({ timeout: -1 })],
      ['timeout NaN', 'RangeError', () => create({ timeout: NaN })],
      ['options a number', 'TypeError', () => create(5)],
      ['module a number', 'TypeError', () => create({ module: 5 })],
      ['name not a string', 'TypeError', () => pool.run(42, [])],
      ['name empty', 'TypeError', () => pool.run('', [])],
      ['args not an array', 'TypeError', () => pool.run('add', 1)],
      ['args a string', 'TypeError', () => pool.run('add', '12')],
      ['options a string', 'TypeError', () => pool.run('add', [1, 2], 'fast')],
      ['transfer not an array', 'TypeError', () => pool.run('echo', [twice], { transfer: twice })],
      ['transfer a typed array', 'TypeError', () => pool.run('echo', [twice], { transfer: [new Uint8Array(twice)] })],
      ['transfer a number', 'TypeError', () => pool.run('echo', [1], { transfer: [1] })],
      ['transfer detached', 'TypeError', () => pool.run('echo', [detached], { transfer: [detached] })],
      ['transfer twice', 'TypeError', () => pool.run('echo', [twice], { transfer: [twice, twice] })],
      ['run timeout -5', 'RangeError', () => pool.run('add', [1, 2], { timeout: -5 })],
      ['run timeout a string', 'TypeError', () => pool.run('add', [1, 2], { timeout: '5' })],
      ['signal not a signal', 'TypeError', () => pool.run('add', [1, 2], { signal: c })],
      ['countPrimes -1', 'RangeError', () => pool.run('builtin:countPrimes', [-1])],
      ['countPrimes 2.5', 'RangeError', () => pool.run('builtin:countPrimes', [2.5])],
      ['countPrimes a string', 'TypeError', () => pool.run('builtin:countPrimes', ['7'])],
      ['countPrimes no argument', 'TypeError', () => pool.run('builtin:countPrimes', [])],
      ['invert a number', 'TypeError', () => pool.run('builtin:invert', [3])],
      ['map items not iterable', 'TypeError', () => pool.map('add', 5)],
      ['map onProgress not a function', 'TypeError', () => pool.map('add', [1], { onProgress: 1 })],
      ['no module, plain name', 'TypeError', async () => (await create({ size: 1 })).run('add', [1, 2])],
    ], async () => (await pool.run('add', [2, 2])) === 4);
    const pool2 = await create({ size: 1 });
    await pool2.close();
    rows.push(...await window.bad([
      ['run on a closed pool', 'ClosedError', () => pool2.run('builtin:countPrimes', [5])],
    ], async () => (await pool.run('builtin:countPrimes', [10])) === 4));
    return rows;
  });
  assertBad(rows, 30);
});
