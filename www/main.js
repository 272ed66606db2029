// The playground's page logic: load the demos' wasm, wire each Run button to its demo.
import init, {
  sequentialVsConcurrent, panicInTask, startPool, countPrimesHere, countPrimesOnPool,
} from './pkg/weft_playground.js';

const $ = (selector) => document.querySelector(selector);

// A ball moved by requestAnimationFrame (not by CSS, which the compositor would keep moving
// while the main thread is blocked), and a meter of the longest gap between two frames.
const frames = { last: 0, longest: 0 };
function animate(now) {
  if (frames.last) frames.longest = Math.max(frames.longest, now - frames.last);
  frames.last = now;
  const ball = document.getElementById('pool-ball');
  if (ball) {
    const track = ball.parentElement.clientWidth - ball.offsetWidth - 6;
    const t = (now / 1500) % 2;
    ball.style.transform = `translateX(${Math.round(track * (t < 1 ? t : 2 - t))}px)`;
  }
  requestAnimationFrame(animate);
}
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/** Runs `work` and gives its result with the longest frame gap seen meanwhile. */
async function measureFrames(work) {
  await nextFrame();
  await nextFrame();
  frames.longest = 0;
  const result = await work();
  await nextFrame();
  return { result, gap: frames.longest };
}

function show(output, state, text, data) {
  output.dataset.state = state;
  output.textContent = text;
  if (data !== undefined) output.dataset.json = JSON.stringify(data);
}

async function main() {
  await init();

  const seqRun = $('#seq-run');
  const seqResult = $('#seq-result');
  show(seqResult, 'ready', 'Press Run to measure both, live.');
  seqRun.disabled = false;
  seqRun.addEventListener('click', async () => {
    seqRun.disabled = true;
    show(seqResult, 'running', 'Running: sequential, then concurrent…');
    const r = await sequentialVsConcurrent();
    const s = (ms) => `${(ms / 1000).toFixed(2)}s`;
    show(seqResult, 'done',
      `Sequential: ${s(r.sequentialMs)}   Concurrent: ${s(r.concurrentMs)}   Speedup: ${r.speedup.toFixed(1)}x`, r);
    seqRun.disabled = false;
  });

  requestAnimationFrame(animate);
  const poolRun = $('#pool-run');
  const poolResult = $('#pool-result');
  const poolGap = $('#pool-gap');
  const workers = startPool();
  show(poolResult, 'ready', `Press Run: the job runs on the main thread, then on ${workers} workers.`);
  poolRun.disabled = false;
  poolRun.addEventListener('click', async () => {
    poolRun.disabled = true;
    const limit = Number($('#pool-limit').value);
    try {
      show(poolResult, 'running', 'Main thread: counting… (the page is frozen)');
      const here = await measureFrames(() => countPrimesHere(limit));
      poolGap.textContent = `${here.gap.toFixed(0)} ms on the main thread`;
      show(poolResult, 'running', 'Worker pool: counting… (the page stays smooth)');
      const pool = await measureFrames(() => countPrimesOnPool(limit));
      poolGap.textContent = `${here.gap.toFixed(0)} ms on the main thread, ${pool.gap.toFixed(0)} ms with the pool`;
      const r = {
        limit, count: here.result.count, poolCount: pool.result.count, workers: pool.result.workers,
        mainMs: here.result.ms, poolMs: pool.result.ms, speedup: here.result.ms / pool.result.ms,
        mainGapMs: here.gap, poolGapMs: pool.gap,
      };
      const s = (ms) => `${(ms / 1000).toFixed(2)}s`;
      show(poolResult, 'done',
        `${r.count} primes below ${limit.toLocaleString('en')}.\n` +
        `Main thread: ${s(r.mainMs)} (longest frame gap ${r.mainGapMs.toFixed(0)} ms)\n` +
        `Worker pool, ${r.workers} workers: ${s(r.poolMs)} (longest frame gap ${r.poolGapMs.toFixed(0)} ms)\n` +
        `Speedup: ${r.speedup.toFixed(2)}x`, r);
    } catch (error) {
      show(poolResult, 'failed', `Failed: ${error}`);
    }
    poolRun.disabled = false;
  });

  const panicRun = $('#panic-run');
  const panicResult = $('#panic-result');
  panicRun.disabled = false;
  panicRun.addEventListener('click', () => {
    panicRun.disabled = true;
    seqRun.disabled = true;
    poolRun.disabled = true;
    panicInTask('boom from the playground');
    show(panicResult, 'done', 'The task panicked: its message is in the console. Reload to run the demos again.');
  });
}

main().catch((error) => {
  show($('#seq-result'), 'failed', `Could not start: ${error}`);
  throw error;
});
