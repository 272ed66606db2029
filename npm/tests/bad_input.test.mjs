// Bad input at the JS boundary, table-driven: every export of the package (WorkerPool brings
// its own cases in worker_pool.test.mjs) called with a table of bad values — wrong types,
// undefined, NaN, negative, Infinity, huge counts, closed queues/pools/pipelines, aborted
// signals, non-function callbacks, throwing callbacks, rejected promises. Each must give a
// TypeError / RangeError / its documented error, never a wasm trap (`RuntimeError:
// unreachable`), and after each one and after the whole table the module still works.
//
// The expected error of a generic case comes from the kind of the argument it replaces:
//   count  a positive integer     (wrong type → TypeError; NaN, 0, negative, fractional,
//                                  Infinity, huge → RangeError)
//   ms     a non-negative duration (wrong type → TypeError; NaN, negative, ±Infinity, 1e300 →
//                                  RangeError; where a field documents `Infinity` as "no limit",
//                                  Infinity and 1e300 are valid and left out)
//   fn     a function             (anything else → TypeError)
//   tasks  an iterable of tasks   (not iterable, or an element neither a function nor a
//                                  promise → TypeError)
//   task   one task               (neither a function nor a promise-like → TypeError; a plain
//                                  object without a callable `then` is not promise-like)
//   options an options object     (a primitive → TypeError)
//   signal an AbortSignal         (anything else → TypeError; already aborted → its reason)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('every export rejects a table of bad values with its documented error, never a trap', async () => {
  const rows = await run(async () => {
    class ReasonError extends Error { constructor() { super('the abort reason'); this.name = 'ReasonError'; } }
    class CallbackError extends Error { constructor() { super('thrown by a callback'); this.name = 'CallbackError'; } }
    const huge = [2 ** 32, 2 ** 53, 1e15];

    // [label, value, expected error name] for each kind; `undefined` is listed only where the
    // argument is required (an options field may be left out).
    const wrongTypes = [
      ['null', null], ['a string', '5'], ['true', true], ['an object', {}], ['an array', [1]],
      ['a symbol', Symbol('s')], ['a bigint', 5n],
    ];
    const values = {
      count: [
        ...wrongTypes.map(([l, v]) => [l, v, 'TypeError']),
        ['a function', () => 1, 'TypeError'],
        ['NaN', NaN, 'RangeError'], ['0', 0, 'RangeError'], ['-1', -1, 'RangeError'],
        ['1.5', 1.5, 'RangeError'], ['Infinity', Infinity, 'RangeError'],
        ['-Infinity', -Infinity, 'RangeError'], ...huge.map((v) => [`huge ${v}`, v, 'RangeError']),
      ],
      ms: [
        ...wrongTypes.map(([l, v]) => [l, v, 'TypeError']),
        ['NaN', NaN, 'RangeError'], ['-1', -1, 'RangeError'], ['-0.5', -0.5, 'RangeError'],
        ['Infinity', Infinity, 'RangeError'], ['-Infinity', -Infinity, 'RangeError'],
        ['1e300', 1e300, 'RangeError'],
      ],
      fn: [
        ['undefined', undefined, 'TypeError'], ['null', null, 'TypeError'], ['a number', 5, 'TypeError'],
        ['NaN', NaN, 'TypeError'], ['a string', 'f', 'TypeError'], ['an object', {}, 'TypeError'],
        ['an array', [], 'TypeError'], ['a symbol', Symbol('f'), 'TypeError'], ['a promise', Promise.resolve(1), 'TypeError'],
      ],
      task: [
        ['undefined', undefined, 'TypeError'], ['null', null, 'TypeError'], ['a number', 5, 'TypeError'],
        ['NaN', NaN, 'TypeError'], ['a string', 'f', 'TypeError'], ['an object', {}, 'TypeError'],
        ['a symbol', Symbol('t'), 'TypeError'], ['true', true, 'TypeError'],
        ['an object with then: 1', { then: 1 }, 'TypeError'],
      ],
      tasks: [
        ['undefined', undefined, 'TypeError'], ['null', null, 'TypeError'], ['a number', 42, 'TypeError'],
        ['NaN', NaN, 'TypeError'], ['a string', 'ab', 'TypeError'], ['an object', {}, 'TypeError'],
        ['true', true, 'TypeError'], ['a symbol', Symbol('ts'), 'TypeError'],
        ['[a number]', [1], 'TypeError'], ['[null]', [null], 'TypeError'], ['[undefined]', [undefined], 'TypeError'],
        ['[a string]', ['x'], 'TypeError'], ['[an object]', [{}], 'TypeError'],
        ['[a task, a number]', [async () => 1, 2], 'TypeError'],
      ],
      options: [
        ['a number', 5, 'TypeError'], ['a string', 'x', 'TypeError'], ['true', true, 'TypeError'],
        ['a symbol', Symbol('o'), 'TypeError'], ['a bigint', 1n, 'TypeError'],
      ],
      signal: [
        ['a string', 'stop', 'TypeError'], ['a number', 1, 'TypeError'], ['an object', {}, 'TypeError'],
        ['true', true, 'TypeError'], ['an EventTarget', new EventTarget(), 'TypeError'],
        ['already aborted', AbortSignal.abort(new ReasonError()), 'ReasonError'],
      ],
    };

    const cases = [];
    // One generic case per (argument, bad value): `call(value)` passes the value in that place.
    const slot = (label, kind, call, except = []) => {
      for (const [what, value, expected] of values[kind]) {
        if (except.includes(what)) continue;
        cases.push([`${label} = ${what}`, expected, () => call(value)]);
      }
    };
    // An options object's field.
    const field = (label, kind, call, except) => slot(label, kind, call, except);
    // The options argument and its signal, for an export that takes `options` last.
    const optionsAndSignal = (label, call) => {
      slot(`${label} options`, 'options', (o) => call(o));
      slot(`${label} signal`, 'signal', (s) => call({ signal: s }));
    };
    const throws = () => { throw new CallbackError(); };
    const rejects = () => Promise.reject(new CallbackError());
    const ok = async () => 1;
    const never = () => new Promise(() => {});
    const unlimited = ['Infinity', '1e300']; // documented as "no limit" where allowed

    // sleep, timeout
    slot('sleep ms', 'ms', (v) => weft.sleep(v));
    cases.push(['sleep ms = undefined', 'TypeError', () => weft.sleep()]);
    optionsAndSignal('sleep', (o) => weft.sleep(1, o));
    slot('timeout task', 'task', (v) => weft.timeout(v, 10));
    slot('timeout ms', 'ms', (v) => weft.timeout(ok, v), unlimited);
    optionsAndSignal('timeout', (o) => weft.timeout(ok, 10, o));
    cases.push(
      ['timeout task throws', 'CallbackError', () => weft.timeout(throws, 10)],
      ['timeout task rejects', 'CallbackError', () => weft.timeout(rejects, 10)],
      ['timeout task a rejected promise', 'CallbackError', () => weft.timeout(rejects(), 10)],
      ['timeout fires', 'TimeoutError', () => weft.timeout(never, 0)],
    );

    // gather, asCompleted, wait, race, firstOk: an iterable of tasks and options
    for (const [name, call] of [
      ['gather', (t, o) => weft.gather(t, o)],
      ['asCompleted', (t, o) => weft.asCompleted(t, o).next()],
      ['wait', (t, o) => weft.wait(t, o)],
      ['race', (t, o) => weft.race(t, o)],
      ['firstOk', (t, o) => weft.firstOk(t, o)],
    ]) {
      slot(`${name} tasks`, 'tasks', (v) => call(v));
      optionsAndSignal(name, (o) => call([ok], o));
      cases.push(
        [`${name} iterable throws`, 'CallbackError', () => call({ [Symbol.iterator]: throws })],
        [`${name} task throws`, { wait: 'no error', firstOk: 'GroupError' }[name] ?? 'CallbackError', () => call([throws])],
        [`${name} task a rejected promise`, { wait: 'no error', firstOk: 'GroupError' }[name] ?? 'CallbackError', () => call([rejects()])],
      );
    }
    for (const name of ['gather', 'asCompleted']) {
      const call = name === 'gather' ? (o) => weft.gather([ok], o) : (o) => weft.asCompleted([ok], o).next();
      cases.push([`${name} settle a string: truthy, fine`, 'no error', () => call({ settle: 'yes' })]);
    }
    cases.push(
      ['race of nothing', 'RangeError', () => weft.race([])],
      ['firstOk of nothing', 'RangeError', () => weft.firstOk([])],
    );
    field('wait timeout', 'ms', (v) => weft.wait([ok], { timeout: v }), unlimited);
    cases.push(
      ['wait returnWhen unknown', 'RangeError', () => weft.wait([ok], { returnWhen: 'SOME' })],
      ['wait returnWhen a number', 'TypeError', () => weft.wait([ok], { returnWhen: 3 })],
    );

    // mapConcurrent
    slot('mapConcurrent items', 'tasks', (v) => weft.mapConcurrent(v, ok),
      ['[a number]', '[null]', '[undefined]', '[a string]', '[an object]', '[a task, a number]', 'a string']);
    slot('mapConcurrent mapper', 'fn', (v) => weft.mapConcurrent([1], v));
    optionsAndSignal('mapConcurrent', (o) => weft.mapConcurrent([1], ok, o));
    field('mapConcurrent concurrency', 'count', (v) => weft.mapConcurrent([1], ok, { concurrency: v }), ['Infinity']);
    cases.push(
      ['mapConcurrent mapper throws', 'CallbackError', () => weft.mapConcurrent([1, 2], throws)],
      ['mapConcurrent mapper rejects', 'CallbackError', () => weft.mapConcurrent([1, 2], rejects)],
    );

    // retry
    slot('retry task', 'task', (v) => weft.retry(v));
    optionsAndSignal('retry', (o) => weft.retry(ok, o));
    field('retry attempts', 'count', (v) => weft.retry(ok, { attempts: v }));
    field('retry minDelay', 'ms', (v) => weft.retry(ok, { minDelay: v }));
    field('retry maxDelay', 'ms', (v) => weft.retry(ok, { maxDelay: v }));
    field('retry deadline', 'ms', (v) => weft.retry(ok, { deadline: v }), unlimited);
    field('retry retryIf', 'fn', (v) => weft.retry(ok, { retryIf: v }), ['undefined']);
    field('retry onRetry', 'fn', (v) => weft.retry(ok, { onRetry: v }), ['undefined']);
    const fast = { attempts: 2, minDelay: 0, maxDelay: 0 };
    cases.push(
      ['retry task throws every time', 'RetryError', () => weft.retry(throws, fast)],
      ['retry task rejects every time', 'RetryError', () => weft.retry(rejects, fast)],
      ['retry retryIf throws', 'CallbackError', () => weft.retry(throws, { ...fast, retryIf: throws })],
      ['retry onRetry throws', 'CallbackError', () => weft.retry(throws, { ...fast, onRetry: throws })],
      ['retry jitter unknown', 'RangeError', () => weft.retry(ok, { jitter: 'some' })],
      ['retry factor below 1', 'RangeError', () => weft.retry(ok, { factor: 0.5 })],
      ['retry factor NaN', 'RangeError', () => weft.retry(ok, { factor: NaN })],
    );

    // limit and Semaphore
    slot('limit concurrency', 'count', (v) => weft.limit(v));
    cases.push(['limit concurrency = undefined', 'TypeError', () => weft.limit()]);
    const lim = weft.limit(2);
    slot('limit task', 'task', (v) => lim(v));
    optionsAndSignal('limit', (o) => lim(ok, o));
    cases.push(
      ['limit task throws', 'CallbackError', () => lim(throws)],
      ['limit task a rejected promise', 'CallbackError', () => lim(rejects())],
    );
    // Semaphore(0) is valid: it starts with no free permit (asyncio's too).
    slot('Semaphore permits', 'count', (v) => new weft.Semaphore(v), ['0']);
    const sem = new weft.Semaphore(1);
    slot('Semaphore.run task', 'task', (v) => sem.run(v));
    optionsAndSignal('Semaphore.run', (o) => sem.run(ok, o));
    optionsAndSignal('Semaphore.acquire', (o) => sem.acquire(o).then((release) => release()));
    cases.push(['Semaphore.run task throws', 'CallbackError', () => sem.run(throws)]);

    // RateLimiter
    slot('RateLimiter options', 'options', (o) => new weft.RateLimiter(o));
    cases.push(['RateLimiter options = undefined', 'TypeError', () => new weft.RateLimiter()]);
    field('RateLimiter max', 'count', (v) => new weft.RateLimiter({ max: v, per: 10 }));
    field('RateLimiter per', 'ms', (v) => new weft.RateLimiter({ max: 1, per: v }));
    cases.push(['RateLimiter per 0', 'RangeError', () => new weft.RateLimiter({ max: 1, per: 0 })]);
    field('RateLimiter burst', 'count', (v) => new weft.RateLimiter({ max: 2, per: 10, burst: v }), huge.map((h) => `huge ${h}`));
    const rate = new weft.RateLimiter({ max: 1000, per: 1 });
    slot('RateLimiter.run task', 'task', (v) => rate.run(v));
    optionsAndSignal('RateLimiter.run', (o) => rate.run(ok, o));
    optionsAndSignal('RateLimiter.acquire', (o) => rate.acquire(o));
    cases.push(['RateLimiter.run task rejects', 'CallbackError', () => rate.run(rejects)]);

    // Queue and PriorityQueue
    for (const Q of ['Queue', 'PriorityQueue']) {
      const make = (o) => new weft[Q](o);
      slot(`${Q} options`, 'options', (o) => make(o));
      field(`${Q} capacity`, 'count', (v) => make({ capacity: v }), ['Infinity']);
      // A fresh queue each time, so cases that are (wrongly) accepted cannot fill one up.
      optionsAndSignal(`${Q}.put`, (o) => make().put(1, o));
      optionsAndSignal(`${Q}.get`, (o) => { const c = make(); c.tryPut(1); return c.get(o); });
      optionsAndSignal(`${Q}.join`, (o) => make().join(o));
      cases.push(
        [`${Q} taskDone with nothing unfinished`, 'RangeError', () => make().taskDone()],
        [`${Q} put on a closed queue`, 'ClosedError', () => { const c = make(); c.close(); return c.put(1); }],
        [`${Q} tryPut on a closed queue`, 'ClosedError', () => { const c = make(); c.close(); return c.tryPut(1); }],
        [`${Q} get on a closed, drained queue`, 'ClosedError', () => { const c = make(); c.close(); return c.get(); }],
      );
    }
    const pq = new weft.PriorityQueue();
    field('PriorityQueue.put priority', 'ms', (v) => pq.put('x', { priority: v }).then(() => pq.tryGet()),
      ['-1', '-0.5', '-Infinity', 'Infinity', '1e300']);

    // pipeline
    slot('pipeline worker', 'fn', (v) => weft.pipeline(v));
    slot('pipeline options', 'options', (o) => weft.pipeline(ok, o));
    field('pipeline workers', 'count', (v) => weft.pipeline(ok, { workers: v }));
    field('pipeline capacity', 'count', (v) => weft.pipeline(ok, { capacity: v }));
    const line = weft.pipeline(ok);
    optionsAndSignal('pipeline.submit', (o) => line.submit(1, o));
    cases.push(
      ['pipeline submit after close', 'ClosedError', () => { const p = weft.pipeline(ok); p.close(); return p.submit(1); }],
      ['pipeline worker throws: counted in the stats', 'no error', async () => {
        const p = weft.pipeline(throws);
        await p.submit(1);
        p.close();
        const stats = await p.join();
        if (stats.failed !== 1 || stats.errors[0]?.name !== 'CallbackError') throw new Error('not counted');
      }],
      ['pipeline join aborted', 'ReasonError', () => weft.pipeline(ok).join({ signal: AbortSignal.abort(new ReasonError()) })],
    );

    // batch
    slot('batch items', 'tasks', (v) => weft.batch(v, ok),
      ['[a number]', '[null]', '[undefined]', '[a string]', '[an object]', '[a task, a number]', 'a string']);
    slot('batch fn', 'fn', (v) => weft.batch([1], v));
    optionsAndSignal('batch', (o) => weft.batch([1], ok, o));
    field('batch size', 'count', (v) => weft.batch([1], ok, { size: v }));
    field('batch concurrency', 'count', (v) => weft.batch([1], ok, { concurrency: v }));
    field('batch pause', 'ms', (v) => weft.batch([1], ok, { pause: v }));
    field('batch onProgress', 'fn', (v) => weft.batch([1], ok, { onProgress: v }), ['undefined']);
    cases.push(['batch fn throws: settled, not thrown', 'no error', async () => {
      const out = await weft.batch([1, 2], throws, { size: 1 });
      if (out.length !== 2 || out[0].status !== 'rejected') throw new Error('not settled');
    }]);

    // TaskGroup
    const group = new weft.TaskGroup();
    slot('TaskGroup.spawn task', 'task', (v) => group.spawn(v));
    optionsAndSignal('TaskGroup.join', (o) => new weft.TaskGroup().join(o));
    cases.push(
      ['TaskGroup child throws', 'GroupError', () => { const g = new weft.TaskGroup(); g.spawn(throws); return g.join(); }],
      ['TaskGroup child a rejected promise', 'GroupError', () => { const g = new weft.TaskGroup(); g.spawn(rejects()); return g.join(); }],
    );

    // Pool
    slot('Pool options', 'options', (o) => new weft.Pool(o));
    cases.push(['Pool options = undefined', 'TypeError', () => new weft.Pool()]);
    field('Pool create', 'fn', (v) => new weft.Pool({ create: v }));
    field('Pool check', 'fn', (v) => new weft.Pool({ create: ok, check: v }), ['undefined']);
    field('Pool destroy', 'fn', (v) => new weft.Pool({ create: ok, destroy: v }), ['undefined']);
    field('Pool max', 'count', (v) => new weft.Pool({ create: ok, max: v }));
    field('Pool acquireTimeout', 'ms', (v) => new weft.Pool({ create: ok, acquireTimeout: v }), unlimited);
    const pool = new weft.Pool({ create: ok });
    slot('Pool.use fn', 'fn', (v) => pool.use(v));
    optionsAndSignal('Pool.use', (o) => pool.use(ok, o));
    optionsAndSignal('Pool.acquire', (o) => pool.acquire(o).then((lease) => lease.release()));
    cases.push(
      ['Pool.use fn throws', 'CallbackError', () => pool.use(throws)],
      ['Pool create throws', 'CallbackError', () => new weft.Pool({ create: throws }).acquire()],
      ['Pool create rejects', 'CallbackError', () => new weft.Pool({ create: rejects }).acquire()],
      ['Pool acquire after close', 'ClosedError', async () => { const p = new weft.Pool({ create: ok }); await p.close(); return p.acquire(); }],
    );

    // Recorder
    slot('Recorder options', 'options', (o) => new weft.Recorder(o));
    field('Recorder capacity', 'count', (v) => new weft.Recorder({ capacity: v }));
    field('Recorder slowPoll', 'ms', (v) => new weft.Recorder({ slowPoll: v }));
    const rec = new weft.Recorder();
    slot('Recorder.trace task', 'task', (v) => rec.trace('t', v));
    optionsAndSignal('Recorder.trace', (o) => rec.trace('t', ok, o));
    cases.push(
      ['Recorder.trace name a number', 'TypeError', () => rec.trace(1, ok)],
      ['Recorder.trace task throws', 'CallbackError', () => rec.trace('t', throws)],
    );

    // After each case, and after the whole table: a gather / limit / queue round trip.
    const valid = async () => {
      const run = weft.limit(2);
      const got = await weft.gather([1, 2, 3].map((n) => () => run(async () => n * 2)));
      const q = new weft.Queue({ capacity: 1 });
      await q.put('q');
      return got.join() === '2,4,6' && (await q.get()) === 'q';
    };
    const rows = await bad(cases, valid);
    return { rows, afterAll: await valid() };
  });
  assert.equal(rows.afterAll, true, 'the module works after the whole table');
  // Every wrong row at once, so one run shows them all.
  const wrong = rows.rows
    .filter(([, expected, got, afterwards]) => got !== expected || afterwards !== 'ok')
    .map(([label, expected, got, afterwards]) => `${label}: expected ${expected}, got ${got}${afterwards === 'ok' ? '' : `, then ${afterwards}`}`);
  assert.deepEqual(wrong, [], `${wrong.length} of ${rows.rows.length} cases went wrong:\n${wrong.join('\n')}`);
  assertBad(rows.rows, 200);
});
