// asyncio.timeout: a slow request is cancelled at the deadline, the fast ones are not.
import { timeout, gather, sleep, TimeoutError } from 'weft';
import { spanRows } from '../ui/timeline.js';
import source from './timeout.js?raw';
import rust from '../../../src/twins/timeout.rs?raw';

// #region demo
async function fetchAll({ count, limitMs, fastMs, slowMs }) {
  // Every third request is slow.
  const fetchData = (url) => async function fetchData(signal) {
    await sleep(url.endsWith('/slow') ? slowMs : fastMs, { signal });
    return `data from ${url}`;
  };

  const fetchWithTimeout = async (url) => {
    try {
      // Aborts the request at the limit.
      return await timeout(fetchData(url), limitMs);
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      return null; // Request to url timed out
    }
  };

  const path = (i) => `/api/${i}${i % 3 === 2 ? '/slow' : ''}`;
  const urls = Array.from({ length: count }, (_, i) => path(i));
  return gather(urls.map((url) => () => fetchWithTimeout(url)));
}
// #endregion

export default {
  id: 'timeout',
  title: 'Timeout',
  python: 'asyncio.timeout / asyncio.wait_for',
  intro: [
    'Each request gets a time limit. The fast ones finish; the slow ones are cancelled at the limit — the request’s signal is aborted, so the work really stops — and the caller gets null instead of hanging.',
  ],
  source,
  rust,
  controls: [
    { name: 'count', label: 'Requests', min: 1, max: 12, value: 6 },
    { name: 'limitMs', label: 'Time limit', min: 100, max: 2000, step: 50, value: 600, format: (v) => `${v} ms` },
    { name: 'fastMs', label: 'Fast request', min: 50, max: 2000, step: 50, value: 250, format: (v) => `${v} ms` },
    { name: 'slowMs', label: 'Slow request', min: 100, max: 4000, step: 100, value: 2000, format: (v) => `${v} ms` },
  ],
  states: ['running', 'done', 'cancelled'],
  async run({ params }) {
    const results = await fetchAll(params);
    const timedOut = results.filter((r) => r === null).length;
    return {
      data: { results: results.length, timedOut, ok: results.length - timedOut },
      stats: [['Answered', results.length - timedOut, 'good'], ['Timed out', timedOut, timedOut ? 'warn' : ''], ['Limit', `${params.limitMs} ms`]],
      text: `${results.length - timedOut} answered, ${timedOut} timed out after ${params.limitMs} ms.`,
    };
  },
  view({ spans, now }) {
    const requests = spans.filter((s) => s.name === 'fetchData');
    const rows = spanRows(requests, now, (s, i) => `/api/${i}${i % 3 === 2 ? '/slow' : ''}`);
    for (const r of rows) if (r.segments.at(-1)?.state === 'cancelled') r.note = 'timed out';
    return { rows };
  },
};
