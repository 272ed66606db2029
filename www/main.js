// The playground's page logic: load the demos' wasm, wire each Run button to its demo.
import init, { sequentialVsConcurrent, panicInTask } from './pkg/weft_playground.js';

const $ = (selector) => document.querySelector(selector);

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

  const panicRun = $('#panic-run');
  const panicResult = $('#panic-result');
  panicRun.disabled = false;
  panicRun.addEventListener('click', () => {
    panicRun.disabled = true;
    seqRun.disabled = true;
    panicInTask('boom from the playground');
    show(panicResult, 'done', 'The task panicked: its message is in the console. Reload to run the demos again.');
  });
}

main().catch((error) => {
  show($('#seq-result'), 'failed', `Could not start: ${error}`);
  throw error;
});
