// The browser benchmarks W1–W4 and W7 (../shared/BENCH-GOALS.md), each against its anchors in
// this same page, interleaved. `?quick` runs a short pass. Results land in #results as JSON
// rows shaped like target/bench/results.json; `cargo xtask bench` collects them.
import '../node_modules/workerpool/dist/workerpool.js'; // sets globalThis.workerpool
import * as Comlink from '../node_modules/comlink/dist/esm/comlink.mjs';
import init, {
  benchPoolRoundTrip, benchPoolThroughput, benchPoolCpu, benchPoolBytes, benchMakeBuffer,
  benchTakeBuffer, benchWasmModule,
} from '../pkg/weft_playground.js';
import { compare, median } from './harness.js';

const params = new URLSearchParams(location.search);
const quick = params.has('quick');
// `?only=W1,W2` runs just those lines (for iterating and profiling).
const only = params.get('only')?.split(',');
const wanted = (id) => !only || only.includes(id);
const ROUNDS = quick ? 3 : 9;
const ROUND_TRIPS = quick ? 400 : 2000;
const BURST = quick ? 4000 : 20000;
const PRIMES_BELOW = quick ? 1_000_000 : 3_000_000;
const MB = quick ? 16 : 64;
const BUSY_MS = quick ? 1500 : 5000;

/** A raw module worker (raw-worker.js) driven with plain postMessage and id matching. */
async function rawWorker() {
  const worker = new Worker(new URL('./raw-worker.js', import.meta.url), { type: 'module' });
  const waiting = new Map();
  let nextId = 0;
  let ready;
  worker.onmessage = ({ data }) => {
    if (data.kind === 'ready') return ready();
    const resolve = waiting.get(data.id);
    waiting.delete(data.id);
    resolve(data);
  };
  await new Promise((r) => {
    ready = r;
    worker.postMessage({
      kind: 'init', module: benchWasmModule(),
      glueUrl: new URL('../pkg/weft_playground.js', import.meta.url).href,
    });
  });
  const send = (message, transfer = []) => new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    worker.postMessage({ ...message, id }, transfer);
  });
  return { worker, send };
}

const timed = async (f) => { const start = performance.now(); await f(); return performance.now() - start; };

async function w1(raw, comlink, pool) {
  const perCall = (total) => total / ROUND_TRIPS;
  return compare({
    id: 'W1', workload: `${ROUND_TRIPS} sequential tiny-job round trips to 1 worker`, unit: 'µs/job',
    goals: ['≤ 1.05×', 'reference', 'reference'], rounds: ROUNDS,
    impls: [
      { name: 'weft WorkerPool', run: async () => 1000 * await benchPoolRoundTrip(ROUND_TRIPS) },
      { name: 'raw postMessage with id matching', run: async () => 1000 * perCall(await timed(async () => {
        for (let i = 0; i < ROUND_TRIPS; i++) await raw.send({ kind: 'ping', i });
      })) },
      { name: 'Comlink', run: async () => 1000 * perCall(await timed(async () => {
        for (let i = 0; i < ROUND_TRIPS; i++) await comlink[0].tiny(i);
      })) },
      { name: 'workerpool', run: async () => 1000 * perCall(await timed(async () => {
        for (let i = 0; i < ROUND_TRIPS; i++) await pool.exec('tiny', [i]);
      })) },
    ],
  });
}

async function w2(raws, comlink, pool2) {
  const rate = (ms) => BURST / (ms / 1000);
  // Throughput: higher is better, so the row's ratio (weft / anchor) is ≥ 1 when weft wins.
  return compare({
    id: 'W2', workload: `${BURST} tiny jobs submitted at once to 2 workers`, unit: 'jobs/s',
    goals: ['≥ 0.9×', 'reference', 'reference'], rounds: ROUNDS,
    impls: [
      { name: 'weft WorkerPool', run: async () => rate(await benchPoolThroughput(BURST)) },
      { name: 'raw round-robin postMessage', run: async () => rate(await timed(() => Promise.all(
        Array.from({ length: BURST }, (_, i) => raws[i & 1].send({ kind: 'ping', i })),
      ))) },
      { name: 'Comlink', run: async () => rate(await timed(() => Promise.all(
        Array.from({ length: BURST }, (_, i) => comlink[i & 1].tiny(i)),
      ))) },
      { name: 'workerpool', run: async () => rate(await timed(() => Promise.all(
        Array.from({ length: BURST }, (_, i) => pool2.exec('tiny', [i])),
      ))) },
    ],
  });
}

async function w3(raws) {
  // Speedup of 2 workers over 1 on two CPU jobs: weft's pool against two raw workers running
  // the same wasm code, in the same page.
  const rawJobs = (workers) => timed(() => Promise.all([0, 1].map((i) =>
    raws[i % workers].send({ kind: 'primes', limit: PRIMES_BELOW }))));
  const weftOne = [], weftTwo = [], rawOne = [], rawTwo = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    weftOne.push(await benchPoolCpu(1, 2, PRIMES_BELOW));
    rawOne.push(await rawJobs(1));
    weftTwo.push(await benchPoolCpu(2, 2, PRIMES_BELOW));
    rawTwo.push(await rawJobs(2));
  }
  const weft = median(weftOne) / median(weftTwo);
  const raw = median(rawOne) / median(rawTwo);
  return [{
    id: 'W3', workload: '2 CPU jobs: speedup of 2 workers over 1', unit: '× speedup',
    weft, anchor: raw, anchor_name: 'raw workers, same wasm code', ratio: weft / raw, goal: '≥ 0.97×',
  }];
}

async function w4(raw) {
  const rawBytes = async () => timed(async () => {
    const bytes = benchMakeBuffer(MB); // copy out of wasm memory
    const reply = await raw.send({ kind: 'bytes', bytes }, [bytes.buffer]);
    if (benchTakeBuffer(reply.bytes) !== MB << 20) throw new Error('short buffer'); // copy in
  });
  return compare({
    id: 'W4', workload: `${MB} MiB to a registered Rust function on a worker and back`, unit: 'ms',
    goals: ['≤ 1.2×'], rounds: quick ? 3 : 7,
    impls: [
      { name: 'weft WorkerPool (Bytes)', run: () => benchPoolBytes(MB) },
      { name: 'hand-written transfer + copies in and out of wasm', run: rawBytes },
    ],
  });
}

/** The longest gap between animation frames while `work` runs (or for `ms` if idle). */
async function worstFrameGap(work, ms) {
  let worst = 0, last = performance.now(), running = true;
  const tick = (now) => {
    worst = Math.max(worst, now - last);
    last = now;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const start = performance.now();
  await (work ? work() : new Promise((r) => setTimeout(r, ms)));
  const took = performance.now() - start;
  running = false;
  return { worst, took };
}

async function w7() {
  // Calibrate a pool job of about BUSY_MS on 2 workers, then measure the page during it.
  const probe = await benchPoolCpu(2, 2, 500_000);
  const limit = Math.round(500_000 * Math.sqrt(Math.max(1, BUSY_MS / Math.max(probe, 1))));
  const busy = await worstFrameGap(() => benchPoolCpu(2, 2, limit));
  const idle = await worstFrameGap(null, busy.took);
  return [{
    id: 'W7', workload: `worst frame gap while the pool computes for ${(busy.took / 1000).toFixed(1)} s`,
    unit: 'ms', weft: busy.worst, anchor: idle.worst, anchor_name: 'the idle page, same duration',
    ratio: busy.worst / idle.worst, goal: `≤ ${Math.round(idle.worst + 5)} ms`,
  }];
}

async function main() {
  await init();
  const raws = [await rawWorker(), await rawWorker()];
  const comlink = [0, 1].map(() => Comlink.wrap(
    new Worker(new URL('./anchor-workers.js', import.meta.url), { type: 'module' })));
  const wpUrl = new URL('./workerpool-worker.js', import.meta.url).href;
  const pool1 = globalThis.workerpool.pool(wpUrl, { maxWorkers: 1, workerType: 'web' });
  const pool2 = globalThis.workerpool.pool(wpUrl, { maxWorkers: 2, workerType: 'web' });
  // Start everything before timing: start-up is not what these lines measure.
  await benchPoolRoundTrip(0);
  await Promise.all([comlink[0].tiny(0), comlink[1].tiny(0), pool1.exec('tiny', [0]),
    pool2.exec('tiny', [0]), pool2.exec('tiny', [1])]);

  const rows = [
    ...wanted('W1') ? await w1(raws[0], comlink, pool1) : [],
    ...wanted('W2') ? await w2(raws, comlink, pool2) : [],
    ...wanted('W3') ? await w3(raws) : [],
    ...wanted('W4') ? await w4(raws[0]) : [],
    ...wanted('W7') ? await w7() : [],
  ];
  await pool1.terminate();
  await pool2.terminate();
  const out = document.getElementById('results');
  out.dataset.json = JSON.stringify(rows);
  out.textContent = rows.map((r) => `${r.id} ${r.workload}: weft ${r.weft.toFixed(2)} ${r.unit} vs ${r.anchor_name} ${r.anchor.toFixed(2)} → ${r.ratio.toFixed(2)}×`).join('\n');
  out.dataset.state = 'done';
}

main().catch((error) => {
  const out = document.getElementById('results');
  out.textContent = `failed: ${error?.stack ?? error}`;
  out.dataset.state = 'failed';
});
