// asyncio.wait(FIRST_COMPLETED): the first result, the others handed back pending, then cancelled.
import { wait, sleep } from 'weft';
import { spanRows } from '../ui/timeline.js';
import source from './wait.js?raw';
import rust from '../../../src/twins/wait.rs?raw';

// #region demo
async function processWithTimeout(delays) {
  const fetchWithTimeout = (url, ms) => async (signal) => {
    await sleep(ms, { signal });
    return { url, ms };
  };
  const tasks = delays.map((ms, i) => fetchWithTimeout(`url${i + 1}`, ms));

  // Wait for the first completion; nothing is cancelled by wait itself.
  const { done, pending } = await wait(tasks, { returnWhen: 'FIRST_COMPLETED' });

  // Cancel the remaining tasks (their signals abort).
  for (const task of pending) task.cancel();
  await Promise.allSettled(pending.map((task) => task.promise));

  const [index, outcome] = done[0];
  return {
    first: outcome.value, index, done: done.length, pending: pending.length,
    cancelled: pending.map((task) => task.index),
  };
}
// #endregion

export default {
  id: 'wait',
  title: 'Wait for the first, cancel the rest',
  python: 'asyncio.wait(return_when=FIRST_COMPLETED)',
  intro: [
    'Three tasks of 1, 2 and 3 s. wait returns as soon as the first finishes: done holds it, pending the two still running, untouched. The demo then cancels them, as the seed does — their bars stop where their signals were aborted.',
  ],
  source,
  rust,
  controls: [
    { name: 'url1', label: 'url1 delay', min: 100, max: 4000, step: 100, value: 1000, format: (v) => `${v} ms` },
    { name: 'url2', label: 'url2 delay', min: 100, max: 4000, step: 100, value: 2000, format: (v) => `${v} ms` },
    { name: 'url3', label: 'url3 delay', min: 100, max: 4000, step: 100, value: 3000, format: (v) => `${v} ms` },
  ],
  states: ['running', 'done', 'cancelled'],
  async run({ params, state }) {
    const r = await processWithTimeout([params.url1, params.url2, params.url3]);
    state.cancelled = r.cancelled;
    return {
      data: r,
      stats: [['First completed', r.first.url, 'good'], ['Done', r.done], ['Still pending → cancelled', r.pending, 'warn']],
      text: `First completed: ${r.first.url}. Still pending: ${r.pending} task(s), cancelled.`,
    };
  },
  view({ spans, now, state }) {
    const rows = spanRows(spans, now, (s, i) => `url${i + 1}`);
    // A task we cancelled rejects with an AbortError, which the recorder counts as failed.
    for (const i of state.cancelled ?? []) {
      const last = rows[i]?.segments.at(-1);
      if (last?.state === 'failed') last.state = 'cancelled';
    }
    return { rows };
  },
};
