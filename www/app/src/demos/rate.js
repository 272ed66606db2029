// A rate limiter: at most `max` starts in ANY window of `per` ms.
import { RateLimiter, gather, sleep } from 'weft';
import { waitingRows } from '../ui/timeline.js';
import source from './rate.js?raw';
import rust from '../../../src/twins/rate.rs?raw';

// #region demo
async function apiWithRateLimit(count, max, ms) {
  const limiter = new RateLimiter({ max, per: 1000 }); // max per second

  const fetch = (url, signal) => {
    const call = async (signal) => {
      await sleep(ms, { signal }); // starts only when the limiter allows it
      return { url };
    };
    return limiter.run(call, { signal });
  };

  const urls = Array.from({ length: count }, (_, i) => `url${i}`);
  return gather(urls.map((url) => (signal) => fetch(url, signal)));
}
// #endregion

/** Starts per one-second window from the first start, as bars. */
function perSecond(starts, now) {
  const bars = [];
  for (let t0 = 0; t0 < Math.max(now, 1); t0 += 1000) {
    bars.push([t0, t0 + 1000, starts.filter((t) => t >= t0 && t < t0 + 1000).length]);
  }
  return bars;
}

/** The most starts inside any window of `per` ms (the limiter's promise). */
function maxInWindow(starts, per) {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= per) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export default {
  id: 'rate',
  title: 'Rate limiter',
  python: 'RateLimiter(max_calls, period)',
  intro: [
    'Twenty calls, five allowed per second. weft’s RateLimiter keeps a sliding log of start times: whatever one-second window you pick, it holds at most five starts. The seed’s hand-written limiter lets more slip through; this one is exact. The bars count starts per second.',
  ],
  source,
  rust,
  controls: [
    { name: 'count', label: 'Calls', min: 1, max: 30, value: 20 },
    { name: 'max', label: 'Calls per second', min: 1, max: 12, value: 5 },
    { name: 'ms', label: 'Call time', min: 50, max: 1000, step: 50, value: 100, format: (v) => `${v} ms` },
  ],
  states: ['queued', 'running', 'done'],
  chart: { yLabel: 'starts / s', series: [{ name: 'starts per second', cls: 'series-1' }], limit: 'limit per second' },
  async run({ params, recorder }) {
    const results = await apiWithRateLimit(params.count, params.max, params.ms);
    const inner = recorder.spans().filter(isCall).map((s) => s.start);
    const most = maxInWindow(inner, 1000);
    // The limiter times its grants; a call starts (is first polled) a little later, and
    // later still on a busy machine, so a window 50 ms short of a second allows for that.
    const mostAllowingLateness = maxInWindow(inner, 950);
    return {
      data: { results: results.length, maxPerWindow: most, maxPerWindowLate: mostAllowingLateness, max: params.max },
      stats: [['Calls', results.length], ['Most starts in any 1 s', most, most <= params.max ? 'good' : 'bad'], ['Limit', `${params.max} / s`]],
      text: `${results.length} calls; at most ${most} started in any one-second window (limit ${params.max}).`,
    };
  },
  view({ spans, now, params }) {
    const inner = spans.filter(isCall);
    const outer = spans.filter((s) => !isCall(s));
    const rows = waitingRows(outer, inner, now, (s, i) => `url${i}`);
    const starts = inner.filter((s) => s.start !== null).map((s) => s.start);
    return { rows, chart: { series: [{ name: 'starts per second', kind: 'bars', cls: 'series-1', inset: 0.15, labels: true, points: perSecond(starts, now) }], limit: { value: params.max, name: 'limit per second' } } };
  },
};

// The calls; the other spans are gather's tasks, waiting in `limiter.run`.
const isCall = (span) => span.name === 'call';
