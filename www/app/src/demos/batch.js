// Batch processing with progress: tqdm's bar, fed by weft's progress reports.
import { batch, mapConcurrent, sleep } from 'weft';
import { spanRows } from '../ui/timeline.js';
import { el } from '../ui/dom.js';
import source from './batch.js?raw';
import rust from '../../../src/twins/batch.rs?raw';

// #region demo
async function updateUsers(params, onProgress) {
  const { users, size, batches, itemMs, failRate } = params;
  const updateUser = async (userId, index, signal) => {
    await sleep(itemMs, { signal }); // simulate an API call
    if (Math.random() * 100 < failRate) throw new Error(`user ${userId}`);
    return `Updated user ${userId}`;
  };

  // One batch: its users 10 at a time (the seed's semaphore).
  const updateBatch = (ids, index, signal) =>
    mapConcurrent(ids, updateUser, { concurrency: 10, signal });

  const userIds = Array.from({ length: users }, (_, i) => i + 1);
  // `batches` in flight; after each: { done, failed, total, rate, eta }.
  return batch(userIds, updateBatch, {
    size, concurrency: batches, onProgress,
  });
}
// #endregion

export default {
  id: 'batch',
  title: 'Batch processing with progress',
  python: 'process_batch(...) with tqdm',
  intro: [
    'Hundreds of users updated in batches: each batch runs its users ten at a time, a few batches run at once, and after every batch weft reports done, failed, total, rate and ETA — what the seed’s tqdm bar draws. A failing user fails its batch; the others go on. Progress reaches the total exactly once.',
  ],
  source,
  rust,
  controls: [
    { name: 'users', label: 'Users', min: 10, max: 1000, step: 10, value: 300 },
    { name: 'size', label: 'Batch size', min: 5, max: 100, step: 5, value: 25 },
    { name: 'batches', label: 'Batches at once', min: 1, max: 6, value: 3 },
    { name: 'itemMs', label: 'Call time', min: 10, max: 500, step: 10, value: 60, format: (v) => `${v} ms` },
    { name: 'failRate', label: 'Failure rate', min: 0, max: 20, step: 0.5, value: 0, format: (v) => `${v} %` },
  ],
  states: ['running', 'done', 'failed'],
  extra() {
    const fill = el('div', { class: 'bar-fill' });
    const track = el('div', { class: 'bar-track', role: 'progressbar', 'aria-label': 'Users updated', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, fill);
    const text = el('span', { class: 'bar-text' }, '0 / 0');
    return {
      node: el('div', { class: 'progress' }, track, text),
      update(view) {
        const p = view.progress;
        if (!p) return;
        const pct = p.total ? Math.round((100 * p.done) / p.total) : 0;
        fill.style.width = `${pct}%`;
        track.setAttribute('aria-valuenow', pct);
        track.setAttribute('aria-valuemax', 100);
        const eta = p.eta === null ? '–' : `${(p.eta / 1000).toFixed(1)} s`;
        text.textContent = `${p.done} / ${p.total} · ${p.failed} failed · ${Math.round(p.rate)}/s · ETA ${eta}`;
      },
    };
  },
  async run({ params, state }) {
    state.progress = { done: 0, failed: 0, total: params.users, rate: 0, eta: null };
    state.reports = 0;
    const outcomes = await updateUsers(params, (p) => { state.progress = p; state.reports++; });
    const failed = outcomes.filter((o) => o.status === 'rejected').length;
    const p = state.progress;
    return {
      data: { batches: outcomes.length, failedBatches: failed, done: p.done, failed: p.failed, total: p.total, reports: state.reports },
      stats: [['Users', `${p.done} / ${p.total}`, 'good'], ['Batches', outcomes.length], ['Failed batches', failed, failed ? 'bad' : ''], ['Rate', `${Math.round(p.rate)}/s`]],
      text: `${p.done} of ${p.total} users in ${outcomes.length} batches; ${failed} batch(es) failed.`,
    };
  },
  view({ spans, now, state }) {
    const rows = spanRows(spans.filter((s) => s.name === 'updateBatch'), now, (s, i) => `batch ${i + 1}`);
    return { rows, progress: state.progress };
  },
};
