// asyncio.gather: the seeds' sequential vs concurrent comparison, measured live.
import { gather, sleep } from 'weft';
import { spanRows } from '../ui/timeline.js';
import source from './gather.js?raw';
import rust from '../../../src/twins/gather.rs?raw';

// #region demo
async function compare({ userMs, postsMs }, recorder) {
  // Simulated API calls; weft aborts `signal` if it cancels the task.
  const fetchUser = async (signal) => {
    await sleep(userMs, { signal });
    return { id: 1, name: 'User1' };
  };
  const fetchPosts = async (signal) => {
    await sleep(postsMs, { signal });
    return [0, 1, 2].map((i) => ({ id: i, title: `Post ${i}` }));
  };

  // Sequential: each call waits for the one before (traced by hand,
  // to show on the timeline).
  let start = performance.now();
  const user = await recorder.trace('fetchUser', fetchUser);
  const posts = await recorder.trace('fetchPosts', fetchPosts);
  const sequentialMs = performance.now() - start;

  // Concurrent: both start at once; results come back in input order.
  start = performance.now();
  const [user2, posts2] = await gather([fetchUser, fetchPosts]);
  const concurrentMs = performance.now() - start;

  const same = user.name === user2.name && posts.length === posts2.length;
  return { sequentialMs, concurrentMs, speedup: sequentialMs / concurrentMs, same };
}
// #endregion

const s = (ms) => `${(ms / 1000).toFixed(2)}s`;

export default {
  id: 'gather',
  title: 'Sequential vs concurrent',
  python: 'asyncio.gather',
  intro: [
    'Two simulated API calls: fetchUser takes 0.5 s and fetchPosts 0.3 s. Awaited one after the other they take the sum, about 0.8 s; with gather they overlap and take the longest, about 0.5 s — the seed’s 1.6x speedup, measured here, live.',
  ],
  source,
  rust,
  controls: [
    { name: 'userMs', label: 'fetchUser delay', min: 100, max: 1500, step: 50, value: 500, format: (v) => `${v} ms` },
    { name: 'postsMs', label: 'fetchPosts delay', min: 100, max: 1500, step: 50, value: 300, format: (v) => `${v} ms` },
  ],
  states: ['running', 'done'],
  async run({ params, recorder }) {
    const r = await compare(params, recorder);
    return {
      data: r,
      stats: [['Sequential', s(r.sequentialMs)], ['Concurrent', s(r.concurrentMs)], ['Speedup', `${r.speedup.toFixed(1)}x`, 'accent']],
      text: `Sequential: ${s(r.sequentialMs)}   Concurrent: ${s(r.concurrentMs)}   Speedup: ${r.speedup.toFixed(1)}x`,
    };
  },
  view({ spans, now }) {
    const rows = spanRows(spans, now, (sp, i) => `${i < 2 ? 'seq' : 'gather'} · ${sp.name}`);
    return { rows, summary: `${spans.filter((sp) => sp.state === 'done').length} done` };
  },
};
