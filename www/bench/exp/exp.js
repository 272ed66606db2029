import { median } from '../harness.js';
import init, { benchPoolRoundTrip, benchWasmModule } from '../../pkg/weft_playground.js';
import { startWorker, gatherJob, postJobs } from '../../pkg/snippets/weft-web-2e0e0e71483ccb33/src/pool.js';
await init();
const N = 200;
const glueUrl = new URL('../../pkg/weft_playground.js', import.meta.url).href;
// (a) raw
const raw = new Worker(new URL('../raw-worker.js', import.meta.url), { type: 'module' });
let resolveRaw;
raw.onmessage = ({ data }) => resolveRaw(data);
await new Promise((r) => { resolveRaw = r; raw.postMessage({ kind: 'init', module: benchWasmModule(), glueUrl }); });
// (b) a pool.js worker driven from JS
let resolveB;
const wb = startWorker(benchWasmModule(), glueUrl, (code, value) => resolveB([code, value]), (n) => resolveB(n));
await new Promise((r) => { resolveB = r; });
await benchPoolRoundTrip(0);
const variants = {
  raw: async () => { for (let i = 0; i < N; i++) await new Promise((r) => { resolveRaw = r; raw.postMessage({ kind: 'ping', i, id: i }); }); },
  jsDriven: async () => { for (let i = 0; i < N; i++) await new Promise((r) => { resolveB = r; gatherJob('tiny', ((i & 127) * 256 + 1) * 8 + 2); postJobs(wb); }); },
  weft: async () => { await benchPoolRoundTrip(N); },
};
const out = {};
const keys = Object.keys(variants);
for (const k of keys) out[k] = [];
for (let round = 0; round < 40; round++) {
  for (let j = 0; j < keys.length; j++) {
    const k = keys[(round + j) % keys.length];
    const t = performance.now();
    await variants[k]();
    if (round > 0) out[k].push((performance.now() - t) / N * 1000);
  }
}
const el = document.getElementById('results');
el.textContent = Object.entries(out).map(([k, v]) => `${k}: med ${median(v).toFixed(1)} min ${Math.min(...v).toFixed(1)}`).join(' | ');
el.dataset.state = 'done';
