// Recorder in Chromium: spans of recorded tasks, trace(), Chrome trace JSON, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('while recording, every task weft starts is a span named after its function', async () => {
  const out = await run(async () => {
    const rec = new weft.Recorder();
    rec.start();
    const recording = rec.recording;
    async function fetchUser() { await weft.sleep(5); return 'user'; }
    await weft.gather([fetchUser, async () => { throw new Error('x'); }], { settle: true });
    await weft.timeout(() => new Promise(() => {}), 5, { fallback: null });
    rec.stop();
    await weft.gather([async () => 'not recorded']);
    const spans = rec.spans();
    return {
      recording, after: rec.recording,
      spans: spans.map((s) => [s.name, s.state, s.start !== null, s.end !== null && s.end >= s.start, s.pollCount >= 1]),
    };
  });
  assert.equal(out.recording, true);
  assert.equal(out.after, false);
  assert.deepEqual(out.spans, [
    ['fetchUser', 'done', true, true, true],
    ['task', 'failed', true, true, true],
    ['task', 'cancelled', true, true, true],
  ]);
});

test('trace(name, task) records one span; chromeTrace is JSON with a row per task', async () => {
  const out = await run(async () => {
    const rec = new weft.Recorder({ capacity: 100, slowPoll: 50, pollsPerSpan: 4 });
    const value = await rec.trace('load', async () => { await weft.sleep(5); return 42; });
    let failed;
    try { await rec.trace('broken', async () => { throw new Error('b'); }); } catch (e) { failed = e.message; }
    const json = JSON.parse(rec.chromeTrace());
    const names = json.traceEvents.filter((e) => e.cat === 'task').map((e) => [e.name, e.args.state]);
    return { value, failed, names, spans: rec.spans().map((s) => s.name), warnings: rec.warnings() };
  });
  assert.deepEqual(out, {
    value: 42, failed: 'b', names: [['load', 'done'], ['broken', 'failed']], spans: ['load', 'broken'], warnings: [],
  });
});

test('a second recorder takes over; capacity drops the oldest spans', async () => {
  const out = await run(async () => {
    const a = new weft.Recorder({ capacity: 2 });
    const b = new weft.Recorder();
    a.start();
    b.start();
    const states = [a.recording, b.recording];
    a.stop(); // not the active one: nothing changes
    await weft.gather([async () => 1]);
    b.stop();
    for (const name of ['one', 'two', 'three']) await a.trace(name, async () => name);
    return { states, still: b.spans().length, names: a.spans().map((s) => s.name) };
  });
  assert.deepEqual(out, { states: [false, true], still: 1, names: ['two', 'three'] });
});

test('Recorder rejects bad input, and keeps working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await new weft.Recorder().trace('ok', async () => 3)) === 3;
    const rec = new weft.Recorder();
    const R = (o) => new weft.Recorder(o);
    const cases = [
      ['options a number', 'TypeError', () => R(1)],
      ['options a string', 'TypeError', () => R('x')],
      ['capacity 0', 'RangeError', () => R({ capacity: 0 })],
      ['capacity NaN', 'RangeError', () => R({ capacity: NaN })],
      ['capacity -5', 'RangeError', () => R({ capacity: -5 })],
      ['capacity huge', 'RangeError', () => R({ capacity: 1e12 })],
      ['capacity string', 'TypeError', () => R({ capacity: '5' })],
      ['slowPoll -1', 'RangeError', () => R({ slowPoll: -1 })],
      ['slowPoll NaN', 'RangeError', () => R({ slowPoll: NaN })],
      ['slowPoll Infinity', 'RangeError', () => R({ slowPoll: Infinity })],
      ['slowPoll null', 'TypeError', () => R({ slowPoll: null })],
      ['pollsPerSpan -1', 'RangeError', () => R({ pollsPerSpan: -1 })],
      ['pollsPerSpan 0.5', 'RangeError', () => R({ pollsPerSpan: 0.5 })],
      ['trace without name', 'TypeError', () => rec.trace()],
      ['trace name a number', 'TypeError', () => rec.trace(1, async () => 1)],
      ['trace without task', 'TypeError', () => rec.trace('x')],
      ['trace task a number', 'TypeError', () => rec.trace('x', 5)],
      ['trace bad signal', 'TypeError', () => rec.trace('x', async () => 1, { signal: 'no' })],
      ['trace aborted', 'Error', () => rec.trace('x', async () => 1, { signal: AbortSignal.abort(new Error('a')) })],
      ['trace task throws', 'TypeError', () => rec.trace('x', () => { throw new TypeError('t'); })],
    ];
    return bad(cases, valid);
  });
  assertBad(rows, 20);
});
