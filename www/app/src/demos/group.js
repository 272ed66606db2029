// asyncio.TaskGroup: the first failure cancels the siblings; join reports every failure.
import { TaskGroup, sleep, GroupError } from 'weft';
import { spanRows } from '../ui/timeline.js';
import source from './group.js?raw';
import rust from '../../../src/twins/group.rs?raw';

// #region demo
async function processItems(count, ms, failAt) {
  const group = new TaskGroup();
  for (let i = 0; i < count; i++) {
    group.spawn(async (signal) => {
      // Each item takes a little longer than the one before.
      await sleep(ms * (1 + i / 2), { signal });
      if (i === failAt) throw new Error(`item ${i} failed`);
      return `processed_${i}`;
    });
  }
  try {
    return { results: await group.join() };
  } catch (error) {
    // A GroupError: every failure, and which child it came from.
    if (!(error instanceof GroupError)) throw error;
    return { errors: error.errors.map(String), indexes: error.indexes };
  }
}
// #endregion

export default {
  id: 'group',
  title: 'TaskGroup: one failure cancels the siblings',
  python: 'asyncio.TaskGroup',
  intro: [
    'Structured concurrency: children are spawned into a group and joined together. When one child fails, the group aborts every sibling still running, and join rejects with a GroupError listing the failures — nothing outlives the group.',
  ],
  source,
  rust,
  controls: [
    { name: 'count', label: 'Children', min: 2, max: 10, value: 6 },
    { name: 'ms', label: 'Base delay', min: 100, max: 1000, step: 50, value: 300, format: (v) => `${v} ms` },
    { name: 'failAt', label: 'Child that fails', min: -1, max: 9, value: 2, format: (v) => (v < 0 ? 'none' : `#${v}`) },
  ],
  states: ['running', 'done', 'failed', 'cancelled'],
  async run({ params, state }) {
    const r = await processItems(params.count, params.ms, params.failAt);
    state.r = r;
    if (r.results) {
      return { data: r, stats: [['Joined', `${r.results.length} results`, 'good']], text: `All ${r.results.length} children finished.` };
    }
    return {
      data: r,
      stats: [['Failed', r.errors.join(', '), 'bad'], ['From child', r.indexes.join(', ')]],
      text: `GroupError: ${r.errors.join(', ')}; the siblings still running were cancelled.`,
    };
  },
  view({ spans, now }) {
    return { rows: spanRows(spans, now, (s, i) => `child ${i}`) };
  },
};
