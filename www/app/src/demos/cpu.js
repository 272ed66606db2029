// Choosing a concurrency model: a CPU job on the main thread vs on a pool of Web Workers.
// The job is the playground's own Rust (www/src/demos.rs) compiled to wasm, whose
// `weft::WorkerPool` starts one module worker per core; weft's Recorder times both runs.
import { sleep } from 'weft';
import { spanRows } from '../ui/timeline.js';
import { el } from '../ui/dom.js';
import { frames } from '../ui/frames.js';
import source from './cpu.js?raw';
import rust from '../../../src/demos.rs?raw';

/** The playground's wasm (built by `cargo xtask play` into pkg/, next to the page). */
async function loadPlayground() {
  const url = new URL('pkg/weft_playground.js', document.baseURI).href;
  const wasm = await import(/* @vite-ignore */ url);
  await wasm.default();
  return wasm;
}

let playground = null;

/** Loads the wasm and starts the pool's workers ahead of the first run. */
function warmUp() {
  loadPlayground().then((wasm) => {
    playground ??= wasm;
    playground.startPool();
  }).catch((error) => console.warn('the worker pool demo could not load', error));
}

// #region demo
async function chooseConcurrencyModel(limit, recorder) {
  // The Rust below, compiled to wasm: count_primes_between over 32 ranges.
  const wasm = playground ??= await loadPlayground();
  const workers = wasm.startPool(); // a module Worker per core, same wasm

  // Main thread: nothing else runs until it returns; the ball stops.
  await frames.settle(); // playground
  const here = await recorder.trace('main thread', async () => {
    await sleep(0); // run in a task of its own, inside the span
    return wasm.countPrimesHere(limit);
  });
  const mainGapMs = await frames.settle(); // playground

  // Worker pool: the same function on every core; this thread stays free.
  const pooled = await recorder.trace('worker pool',
    () => wasm.countPrimesOnPool(limit));
  const poolGapMs = await frames.settle(); // playground

  return { workers, here, pooled, mainGapMs, poolGapMs };
}
// #endregion

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

export default {
  id: 'cpu',
  title: 'Choosing a concurrency model: CPU work',
  python: 'multiprocessing.Pool / ProcessPoolExecutor',
  intro: [
    'async helps while tasks wait; it does nothing for work that keeps the CPU busy. The same job — counting the primes below a limit, cut into 32 ranges — runs first on the page’s main thread, then on a WorkerPool of Web Workers, one per core, each running this page’s wasm.',
    'On the main thread nothing else runs until the job returns: the ball freezes and the frame-gap meter jumps. On the pool the page stays smooth, and the job finishes sooner on more cores.',
  ],
  source,
  rust,
  runLabel: 'Run both',
  // Redraws cost the main thread frames; this demo measures frames.
  redrawEvery: 500,
  controls: [
    { name: 'limit', label: 'Primes below', options: [['2000000', '2,000,000'], ['5000000', '5,000,000'], ['10000000', '10,000,000']], value: '5000000' },
  ],
  states: ['running', 'done', 'failed'],
  timelineCaption: 'Timeline of the two runs (weft’s Recorder), and the gap between animation frames',
  chart: { yLabel: 'frame gap', yCap: 250, series: [{ name: 'gap between two frames', cls: 'series-2' }], limit: '50 ms budget' },
  extra() {
    const ball = el('div', { class: 'ball' });
    const fill = el('div', { class: 'meter-fill' });
    const value = el('strong', { id: 'cpu-gap' }, '–');
    frames.track(ball);
    setTimeout(warmUp, 300);
    return {
      node: el('div', {},
        el('div', { class: 'animation', 'aria-hidden': 'true' }, ball),
        el('div', { class: 'meter' }, el('span', {}, 'Longest gap between frames'),
          el('div', { class: 'meter-track', 'aria-hidden': 'true' }, fill), value)),
      update(view) {
        const gap = view.gap ?? 0;
        value.textContent = view.gapText ?? `${gap.toFixed(0)} ms`;
        fill.style.width = `${Math.min(100, (gap / 500) * 100)}%`;
        fill.dataset.level = gap < 50 ? 'ok' : gap < 200 ? 'warn' : 'bad';
      },
    };
  },
  async run({ params, recorder, state, now }) {
    state.t0 = performance.now() - now();
    frames.record(state);
    const limit = params.limit;
    const r = await chooseConcurrencyModel(limit, recorder);
    frames.record(null);
    const spans = recorder.spans();
    const [mainSpan, poolSpan] = ['main thread', 'worker pool'].map((n) => spans.find((sp) => sp.name === n));
    const mainMs = mainSpan.end - mainSpan.start;
    const poolMs = poolSpan.end - poolSpan.start;
    const data = {
      limit, count: r.here.count, poolCount: r.pooled.count, workers: r.pooled.workers,
      mainMs, poolMs, speedup: mainMs / poolMs, mainGapMs: r.mainGapMs, poolGapMs: r.poolGapMs,
    };
    state.summary = r;
    return {
      data,
      stats: [
        ['Primes', data.count.toLocaleString('en')],
        ['Main thread', s(mainMs)], ['Frame gap (main)', `${data.mainGapMs.toFixed(0)} ms`, 'bad'],
        [`Pool, ${data.workers} workers`, s(poolMs)], ['Frame gap (pool)', `${data.poolGapMs.toFixed(0)} ms`, data.poolGapMs < 50 ? 'good' : 'warn'],
        ['Speedup', `${data.speedup.toFixed(2)}x`, 'accent'],
      ],
      text: `${data.count} primes below ${limit.toLocaleString('en')}. Main thread: ${s(mainMs)}, worker pool (${data.workers} workers): ${s(poolMs)}. Speedup: ${data.speedup.toFixed(2)}x`,
    };
  },
  view({ spans, now, state }) {
    const rows = spanRows(spans.filter((sp) => sp.name === 'main thread' || sp.name === 'worker pool'), now);
    // One bar per frame, as wide as the wait for it.
    // Frames on time (about 17 ms apart) stay at the baseline; only late ones are bars.
    const points = (state.gaps ?? []).filter(([, g]) => g > 25)
      .map(([t, g]) => [t - state.t0 - g, t - state.t0, Math.round(g)]);
    return {
      rows,
      gap: state.summary ? state.summary.mainGapMs : frames.longest,
      gapText: state.summary && `main ${state.summary.mainGapMs.toFixed(0)} ms · pool ${state.summary.poolGapMs.toFixed(0)} ms`,
      chart: { series: [{ name: 'gap between two frames', kind: 'bars', cls: 'series-2', points, format: (v) => `${v} ms` }], limit: { value: 50, name: '50 ms budget' } },
    };
  },
};
