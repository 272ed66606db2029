// Producer/consumer: a bounded queue between one producer and a few workers.
import { pipeline, sleep } from 'weft';
import { waitingRows } from '../ui/timeline.js';
import { concurrency, peak } from '../ui/chart.js';
import source from './pipeline.js?raw';
import rust from '../../../src/twins/pipeline.rs?raw';

// #region demo
async function producerConsumer(params, accepted) {
  const { items, workers, capacity, produceMs, consumeMs } = params;
  // The consumers: `workers` tasks taking items off a queue of `capacity`.
  const consume = async (item, signal) => {
    await sleep(consumeMs, { signal }); // process the item
  };
  const pipe = pipeline(consume, { workers, capacity });

  // The producer: an item every `produceMs`; submit waits while full.
  for (let i = 0; i < items; i++) {
    await sleep(produceMs);
    await pipe.submit(`item${i}`);
    accepted.push(performance.now()); // playground
  }

  // Close the queue, let the workers drain it, and count.
  return pipe.join(); // { submitted, done, failed, errors, elapsed }
}
// #endregion

export default {
  id: 'pipeline',
  title: 'Producer / consumer',
  python: 'asyncio.Queue(maxsize) + worker tasks',
  intro: [
    'A producer puts items on a bounded queue; workers take them off. When the workers fall behind the queue fills up to its capacity and the producer waits (backpressure), so memory stays bounded. Closing the queue replaces the seed’s None sentinels: the workers drain what is queued, then stop. The chart plots the queue depth.',
  ],
  source,
  rust,
  controls: [
    { name: 'items', label: 'Items', min: 1, max: 30, value: 16 },
    { name: 'workers', label: 'Workers', min: 1, max: 6, value: 2 },
    { name: 'capacity', label: 'Queue capacity', min: 1, max: 10, value: 4 },
    { name: 'produceMs', label: 'Produce every', min: 0, max: 500, step: 10, value: 40, format: (v) => `${v} ms` },
    { name: 'consumeMs', label: 'Consume time', min: 50, max: 1000, step: 10, value: 300, format: (v) => `${v} ms` },
  ],
  states: ['queued', 'running', 'done'],
  chart: { yLabel: 'queue depth', series: [{ name: 'items waiting in the queue', cls: 'series-1' }], limit: 'capacity' },
  async run({ params, state, now }) {
    state.accepted = [];
    state.t0 = performance.now() - now();
    const stats = await producerConsumer(params, state.accepted);
    state.done = true;
    return {
      data: { submitted: stats.submitted, done: stats.done, failed: stats.failed, maxDepth: state.maxDepth ?? 0, capacity: params.capacity },
      stats: [['Submitted', stats.submitted], ['Done', stats.done, 'good'], ['Failed', stats.failed], ['Deepest queue', `${state.maxDepth ?? 0} / ${params.capacity}`]],
      text: `${stats.done} of ${stats.submitted} items done in ${(stats.elapsed / 1000).toFixed(2)} s.`,
    };
  },
  view({ spans, now, params, state }) {
    const inner = spans.filter((s) => s.name === 'consume');
    const accepted = (state.accepted ?? []).map((t) => t - state.t0);
    // One row per item: queued from when the queue took it until a worker did.
    const outer = accepted.map((t) => ({ queued: t, end: null, state: 'queued' }));
    const rows = waitingRows(outer, inner, now, (s, i) => `item${i}`);
    // In the queue from when submit returned until a worker took it (possibly at once).
    const depth = concurrency(accepted.map((t, i) => [t, inner[i]?.start == null ? null : Math.max(t, inner[i].start)]));
    state.maxDepth = peak(depth);
    return {
      rows,
      chart: { series: [{ name: 'items waiting in the queue', kind: 'step', cls: 'series-1', points: depth, end: now }], limit: { value: params.capacity, name: 'capacity' } },
    };
  },
};
