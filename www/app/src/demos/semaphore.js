// asyncio.Semaphore: at most `limit` requests in flight, the rest queue for a permit.
import { Semaphore, gather, sleep } from 'weft';
import { waitingRows } from '../ui/timeline.js';
import { concurrency, peak } from '../ui/chart.js';
import source from './semaphore.js?raw';
import rust from '../../../src/twins/semaphore.rs?raw';

// #region demo
async function rateLimitedFetch(count, limit, ms) {
  const semaphore = new Semaphore(limit); // at most `limit` at once

  const fetchWithLimit = (url, signal) => {
    const request = async (signal) => {
      await sleep(ms, { signal }); // the request, once it holds a permit
      return { url };
    };
    return semaphore.run(request, { signal }); // async with sem:
  };

  const urls = Array.from({ length: count }, (_, i) => `url${i}`);
  return gather(urls.map((url) => (signal) => fetchWithLimit(url, signal)));
}
// #endregion

export default {
  id: 'semaphore',
  title: 'Limit concurrent operations',
  python: 'asyncio.Semaphore',
  intro: [
    'Ten requests start at once, but a Semaphore(3) lets only three hold a permit: the others queue, first come first served, and each starts the moment a permit is released. The chart counts the requests in flight — it never crosses the limit.',
  ],
  source,
  rust,
  controls: [
    { name: 'count', label: 'Requests', min: 1, max: 24, value: 10 },
    { name: 'limit', label: 'Limit', min: 1, max: 8, value: 3 },
    { name: 'ms', label: 'Request time', min: 100, max: 1500, step: 50, value: 500, format: (v) => `${v} ms` },
  ],
  states: ['queued', 'running', 'done'],
  chart: { yLabel: 'in flight', series: [{ name: 'requests in flight', cls: 'series-1' }], limit: 'limit' },
  async run({ params, recorder }) {
    const results = await rateLimitedFetch(params.count, params.limit, params.ms);
    const inner = recorder.spans().filter((s) => s.name === 'request');
    const max = peak(concurrency(inner.map((s) => [s.start, s.end])));
    return {
      data: { results: results.length, maxInFlight: max, limit: params.limit },
      stats: [['Requests', results.length], ['Max in flight', max, max <= params.limit ? 'good' : 'bad'], ['Limit', params.limit]],
      text: `${results.length} requests, at most ${max} in flight (limit ${params.limit}).`,
    };
  },
  view({ spans, now, params }) {
    const inner = spans.filter((s) => s.name === 'request');
    const outer = spans.filter((s) => s.name !== 'request');
    const rows = waitingRows(outer, inner, now, (s, i) => `url${i}`);
    const points = concurrency(inner.filter((s) => s.start !== null).map((s) => [s.start, s.end ?? now]));
    return { rows, chart: { series: [{ name: 'requests in flight', kind: 'step', cls: 'series-1', points, end: now }], limit: { value: params.limit, name: 'limit' } } };
  },
};
