// tenacity's @retry: exponential backoff with jitter; every attempt on the timeline.
import { retry, gather, sleep, RetryError } from 'weft';
import source from './retry.js?raw';
import rust from '../../../src/twins/retry.rs?raw';

// #region demo
async function fetchAllWithRetry(params, recorder) {
  const { count, attempts, failRate, minDelay } = params;
  // A flaky endpoint: fails `failRate` % of the time.
  const flakyFetch = async (signal) => {
    await sleep(120, { signal });
    if (Math.random() * 100 < failRate) throw new Error('503');
    return { status: 200 };
  };

  const fetchWithRetry = (name) => retry(
    // Each attempt traced under the call's name: a row on the timeline.
    (signal) => recorder.trace(name, flakyFetch, { signal }),
    { attempts, minDelay, maxDelay: 2000, factor: 2, jitter: 'full' },
  );

  const calls = Array.from({ length: count }, (_, i) => `call ${i}`);
  const tasks = calls.map((name) => () => fetchWithRetry(name));
  return gather(tasks, { settle: true });
}
// #endregion

export default {
  id: 'retry',
  title: 'Retry with exponential backoff and jitter',
  python: 'tenacity: @retry(stop=stop_after_attempt(3), wait=wait_exponential(...))',
  intro: [
    'Calls to a flaky endpoint, each retried with exponential backoff: the wait doubles after every failure (capped), with full jitter so that clients failing together do not retry together. attempts counts every try, the first included, and nothing waits after the last one. Each failed attempt is red, each wait purple.',
  ],
  source,
  rust,
  controls: [
    { name: 'count', label: 'Calls', min: 1, max: 10, value: 5 },
    { name: 'attempts', label: 'Attempts', min: 1, max: 8, value: 4 },
    { name: 'failRate', label: 'Failure rate', min: 0, max: 100, step: 5, value: 50, format: (v) => `${v} %` },
    { name: 'minDelay', label: 'First wait', min: 50, max: 1000, step: 50, value: 200, format: (v) => `${v} ms` },
  ],
  states: ['running', 'done', 'failed', 'retried'],
  async run({ params, recorder }) {
    const outcomes = await fetchAllWithRetry(params, recorder);
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    const gaveUp = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof RetryError);
    const tries = recorder.spans().filter((s) => s.name.startsWith('call ')).length;
    return {
      data: { ok, gaveUp: gaveUp.length, tries, count: params.count },
      stats: [['Succeeded', ok, 'good'], ['Gave up', gaveUp.length, gaveUp.length ? 'bad' : ''], ['Attempts made', tries]],
      text: `${ok} of ${params.count} calls succeeded, ${gaveUp.length} gave up after ${params.attempts} attempts; ${tries} attempts in all.`,
    };
  },
  view({ spans, now, params }) {
    const rows = [];
    for (let i = 0; i < params.count; i++) {
      const tries = spans.filter((s) => s.name === `call ${i}`);
      const segments = [];
      tries.forEach((s, k) => {
        if (k > 0) segments.push({ from: tries[k - 1].end, to: s.queued, state: 'retried' });
        segments.push({ from: s.start ?? s.queued, to: s.end ?? now, state: s.end === null ? 'running' : s.state });
      });
      const last = tries.at(-1);
      if (last && last.state === 'failed' && tries.length < params.attempts) {
        segments.push({ from: last.end, to: now, state: 'retried' });
      }
      const note = tries.length ? `${tries.length} ${tries.length === 1 ? 'attempt' : 'attempts'}` : '';
      rows.push({ label: `call ${i}`, segments, marks: [], note });
    }
    return { rows, summary: `${spans.length} attempts`, tMax: 0 };
  },
};
