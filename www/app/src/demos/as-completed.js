// asyncio.as_completed: results in finishing order, each with its index in the input.
import { asCompleted, sleep } from 'weft';
import { spanRows } from '../ui/timeline.js';
import source from './as-completed.js?raw';
import rust from '../../../src/twins/as_completed.rs?raw';

// #region demo
async function processUrlsAsCompleted(urls) {
  const fetchWithTimeout = (url, ms) => async (signal) => {
    await sleep(ms, { signal }); // a response that takes `ms`
    return { url, ms };
  };
  const tasks = urls.map(([url, ms]) => fetchWithTimeout(url, ms));

  const order = [];
  for await (const [index, result] of asCompleted(tasks)) {
    order.push({ index, ...result }); // Completed: result.url in result.ms
  }
  return order;
}
// #endregion

const ordinal = (n) => ['1st', '2nd', '3rd'][n] ?? `${n + 1}th`;

export default {
  id: 'as-completed',
  title: 'Process results as they finish',
  python: 'asyncio.as_completed',
  intro: [
    'Three requests start together; as_completed hands back each result the moment it is ready, with its index in the input. With the seed’s delays api2 (0.5 s) comes first, then api3 (1.0 s), then api1 (2.0 s) — whatever order they were listed in.',
  ],
  source,
  rust,
  controls: [
    { name: 'api1', label: 'api1 delay', min: 100, max: 3000, step: 100, value: 2000, format: (v) => `${v} ms` },
    { name: 'api2', label: 'api2 delay', min: 100, max: 3000, step: 100, value: 500, format: (v) => `${v} ms` },
    { name: 'api3', label: 'api3 delay', min: 100, max: 3000, step: 100, value: 1000, format: (v) => `${v} ms` },
  ],
  states: ['running', 'done'],
  async run({ params, state }) {
    const urls = [['https://api1.com', params.api1], ['https://api2.com', params.api2], ['https://api3.com', params.api3]];
    state.order = [];
    const order = await processUrlsAsCompleted(urls);
    state.order = order.map((r) => r.index);
    const names = order.map((r) => r.url.replace('https://', '').replace('.com', ''));
    return {
      data: { order: names, indexes: state.order },
      stats: order.map((r, i) => [ordinal(i), `${names[i]} · ${(r.ms / 1000).toFixed(1)}s`, i === 0 ? 'good' : '']),
      text: `Finishing order: ${names.join(', ')}`,
    };
  },
  view({ spans, now, state }) {
    const rows = spanRows(spans, now, (s, i) => `api${i + 1}`);
    (state.order ?? []).forEach((index, n) => { if (rows[index]) rows[index].note = ordinal(n); });
    return { rows };
  },
};
