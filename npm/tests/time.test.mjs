// sleep, timeout and gather: the bad-input tables (their semantics are in basics.test.mjs).
import { test } from 'node:test';
import { usePage, assertBad } from './util.mjs';

const run = usePage();

test('sleep, timeout and gather reject bad input, and keep working', async () => {
  const rows = await run(async () => {
    const valid = async () => (await weft.timeout(async () => 1, 1000)) === 1 && (await weft.gather([async () => 2]))[0] === 2;
    const t = async () => 1;
    const cases = [];
    for (const [label, value, error] of [
      ['undefined', undefined, 'TypeError'], ['null', null, 'TypeError'], ['string', '5', 'TypeError'],
      ['object', {}, 'TypeError'], ['NaN', NaN, 'RangeError'], ['negative', -1, 'RangeError'],
      ['-Infinity', -Infinity, 'RangeError'], ['bigint', 5n, 'TypeError'],
    ]) {
      cases.push([`sleep(${label})`, error, () => weft.sleep(value)]);
      cases.push([`timeout ms ${label}`, error, () => weft.timeout(t, value)]);
    }
    cases.push(
      ['sleep(Infinity)', 'RangeError', () => weft.sleep(Infinity)],
      ['sleep(1e300)', 'RangeError', () => weft.sleep(1e300)],
      ['sleep bad options', 'TypeError', () => weft.sleep(1, 5)],
      ['sleep bad signal', 'TypeError', () => weft.sleep(1, { signal: {} })],
      ['timeout task undefined', 'TypeError', () => weft.timeout(undefined, 10)],
      ['timeout task a number', 'TypeError', () => weft.timeout(5, 10)],
      ['timeout bad options', 'TypeError', () => weft.timeout(t, 10, 'x')],
      ['timeout bad signal', 'TypeError', () => weft.timeout(t, 10, { signal: 1 })],
      ['timeout 1e300 means no limit', 'no error', () => weft.timeout(t, 1e300)],
      ['timeout fires', 'TimeoutError', () => weft.timeout(() => new Promise(() => {}), 1)],
      ['gather options a number', 'TypeError', () => weft.gather([t], 3)],
      ['gather bad signal', 'TypeError', () => weft.gather([t], { signal: 'x' })],
      ['gather task a symbol', 'TypeError', () => weft.gather([Symbol('s')])],
      ['gather iterable throws', 'Error', () => weft.gather({ [Symbol.iterator]() { throw new Error('i'); } })],
      ['gather task throws', 'ReferenceError', () => weft.gather([() => { throw new ReferenceError('r'); }])],
    );
    return bad(cases, valid);
  });
  assertBad(rows, 30);
});
