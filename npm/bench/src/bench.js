// The npm package's browser benchmarks, weft beside its anchors in this one page
// (../shared/BENCH-GOALS.md): W4 for an app module function (a 64 MB ArrayBuffer moved to a
// worker and back) and W6 (100k calls of a resolved async fn through limit / retry / timeout,
// against p-limit / p-retry / p-timeout). One warm-up round, then measured rounds that run each
// implementation once in an order that rotates; medians, and weft / anchor as the ratio.
import { WorkerPool, limit, retry, timeout } from 'weft';
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import pTimeout from 'p-timeout';

const quick = new URLSearchParams(location.search).has('quick');
const CALLS = quick ? 20_000 : 100_000;
const ROUNDS = quick ? 3 : 7;
const MB = 64;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Times each entry of `impls` (name → async () => ms) over the rounds; medians by name. */
async function rounds(impls, count = ROUNDS) {
  const names = Object.keys(impls);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = -1; round < count; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + Math.max(round, 0)) % names.length];
      const ms = await impls[name]();
      if (round >= 0) times[name].push(ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n])]));
}

async function timed(body) {
  const start = performance.now();
  await body();
  return performance.now() - start;
}

const resolved = async () => 1;

async function w6() {
  const weftLimit = limit(10);
  const pl = pLimit(10);
  // Sequential awaits: the per-call cost of each wrapper around an already-resolved fn.
  const perCall = (ms) => (ms * 1000) / CALLS;
  const limits = await rounds({
    weft: () => timed(async () => { for (let i = 0; i < CALLS; i++) await weftLimit(resolved); }),
    anchor: () => timed(async () => { for (let i = 0; i < CALLS; i++) await pl(resolved); }),
  });
  const retries = await rounds({
    weft: () => timed(async () => { for (let i = 0; i < CALLS; i++) await retry(resolved); }),
    anchor: () => timed(async () => { for (let i = 0; i < CALLS; i++) await pRetry(resolved); }),
  });
  const configured = await rounds({
    weft: () => timed(async () => { for (let i = 0; i < CALLS; i++) await retry(resolved, { attempts: 3, minDelay: 10 }); }),
    anchor: () => timed(async () => { for (let i = 0; i < CALLS; i++) await pRetry(resolved, { retries: 2, minTimeout: 10 }); }),
  });
  const timeouts = await rounds({
    weft: () => timed(async () => { for (let i = 0; i < CALLS; i++) await timeout(resolved, 1000); }),
    anchor: () => timed(async () => { for (let i = 0; i < CALLS; i++) await pTimeout(resolved(), { milliseconds: 1000 }); }),
  });
  const row = (what, anchorName, m, goal) => ({
    id: 'W6',
    workload: `${CALLS / 1000}k sequential calls of a resolved async fn through ${what}, main thread`,
    weft: perCall(m.weft),
    anchor: perCall(m.anchor),
    anchor_name: anchorName,
    unit: 'µs/call',
    ratio: m.weft / m.anchor,
    goal,
  });
  return [
    row('limit(10)', 'p-limit', limits, '≤ 1×'),
    row('retry (default options, no retry needed)', 'p-retry', retries, '≤ 2×'),
    row('retry ({ attempts: 3, minDelay: 10 }, no retry needed)', 'p-retry', configured, '≤ 2×'),
    row('timeout (1 s, never reached)', 'p-timeout', timeouts, '≤ 0.5×'),
  ];
}

async function w4() {
  const pool = await WorkerPool.create({ module: new URL('./tasks.js?no-inline', import.meta.url), size: 1 });
  const raw = new Worker(new URL('./raw-worker.js', import.meta.url), { type: 'module' });
  const rawEcho = (buffer) => new Promise((resolve) => {
    raw.onmessage = ({ data }) => resolve(data);
    raw.postMessage(buffer, [buffer]);
  });
  let buffer = new ArrayBuffer(MB << 20);
  new Uint8Array(buffer).fill(3);
  // Both sides started and warm (module imported) before timing.
  buffer = await pool.run('echo', [buffer], { transfer: [buffer] });
  buffer = await rawEcho(buffer);
  const m = await rounds({
    weft: async () => {
      const start = performance.now();
      buffer = await pool.run('echo', [buffer], { transfer: [buffer] });
      return performance.now() - start;
    },
    anchor: async () => {
      const start = performance.now();
      buffer = await rawEcho(buffer);
      return performance.now() - start;
    },
  }, quick ? 5 : 15);
  if (buffer.byteLength !== MB << 20 || new Uint8Array(buffer)[12345] !== 3) {
    throw new Error('the buffer did not come back whole');
  }
  await pool.terminate();
  raw.terminate();
  return [{
    id: 'W4',
    workload: `${MB} MB ArrayBuffer to an app module function on a worker and back (npm WorkerPool, transfer)`,
    weft: m.weft,
    anchor: m.anchor,
    anchor_name: 'raw postMessage with transfer',
    unit: 'ms',
    ratio: m.weft / m.anchor,
    goal: '≤ 2×',
  }];
}

async function main() {
  const out = document.getElementById('results');
  try {
    const rows = [...await w4(), ...await w6()];
    out.dataset.json = JSON.stringify(rows);
    out.textContent = rows.map((r) => `${r.id} ${r.workload}: ${r.weft.toFixed(3)} vs ${r.anchor.toFixed(3)} ${r.unit}`).join('\n');
    out.dataset.state = 'done';
  } catch (error) {
    out.textContent = String(error?.stack ?? error);
    out.dataset.state = 'failed';
  }
}

void main();
