// The pool benchmark: each pool figure and its hand-written twin, measured in this same page,
// interleaved (a block of one, a block of the other, many times) so that a noisy machine
// disturbs both alike; each figure is the median of its blocks.
import init, {
  benchPoolRoundTrip, benchPoolCpu, benchPoolBytes, benchMakeBuffer, benchTakeBuffer,
  benchWasmModule,
} from '../pkg/weft_playground.js';

const ROUNDS = 15;
const ROUND_TRIPS = 200;
const PRIMES_BELOW = 3_000_000;
const CPU_ROUNDS = 3;
const MB = 64;
const BYTE_ROUNDS = 7;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function rawWorker() {
  const worker = new Worker(new URL('./raw-worker.js', import.meta.url), { type: 'module' });
  let resolve = null;
  worker.onmessage = ({ data }) => resolve(data);
  const send = (message, transfer = []) => new Promise((r) => {
    resolve = r;
    worker.postMessage(message, transfer);
  });
  await send({
    kind: 'init', module: benchWasmModule(),
    glueUrl: new URL('../pkg/weft_playground.js', import.meta.url).href,
  });
  return send;
}

async function rawRoundTrips(send, kind, runs) {
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    if (kind === 'ping') {
      await send({ kind, i });
    } else {
      const input = new Uint8Array([1, i & 127]); // the payload of a u32 below 128
      await send({ kind, input }, [input.buffer]);
    }
  }
  return (performance.now() - start) / runs;
}

async function rawBytes(send, mb) {
  const start = performance.now();
  const bytes = benchMakeBuffer(mb); // copy out of wasm memory
  const reply = await send({ kind: 'bytes', bytes }, [bytes.buffer]);
  if (benchTakeBuffer(reply.bytes) !== mb << 20) throw new Error('short buffer'); // copy in
  return performance.now() - start;
}

async function main() {
  await init();
  const out = document.getElementById('results');
  const send = await rawWorker();
  const r = { workers: navigator.hardwareConcurrency };

  const pool = [], ping = [], call = [];
  await benchPoolRoundTrip(0);
  await rawRoundTrips(send, 'ping', ROUND_TRIPS);
  await rawRoundTrips(send, 'call', ROUND_TRIPS);
  for (let i = 0; i < ROUNDS; i++) {
    pool.push(await benchPoolRoundTrip(ROUND_TRIPS));
    ping.push(await rawRoundTrips(send, 'ping', ROUND_TRIPS));
    call.push(await rawRoundTrips(send, 'call', ROUND_TRIPS));
  }
  r.poolRoundTripMs = median(pool);
  r.rawRoundTripMs = median(ping);
  r.rawCallRoundTripMs = median(call);

  const one = [], two = [];
  for (let i = 0; i < CPU_ROUNDS; i++) {
    one.push(await benchPoolCpu(1, 2, PRIMES_BELOW));
    two.push(await benchPoolCpu(2, 2, PRIMES_BELOW));
  }
  r.oneWorkerMs = median(one);
  r.twoWorkersMs = median(two);

  const poolBytes = [], rawBytesMs = [];
  await benchPoolBytes(MB);
  await rawBytes(send, MB);
  for (let i = 0; i < BYTE_ROUNDS; i++) {
    poolBytes.push(await benchPoolBytes(MB));
    rawBytesMs.push(await rawBytes(send, MB));
  }
  r.poolBytesMs = median(poolBytes);
  r.rawBytesMs = median(rawBytesMs);

  r.roundTripRatio = r.poolRoundTripMs / r.rawRoundTripMs;
  r.callRatio = r.poolRoundTripMs / r.rawCallRoundTripMs;
  r.speedup = r.oneWorkerMs / r.twoWorkersMs;
  r.bytesRatio = r.poolBytesMs / r.rawBytesMs;
  out.dataset.json = JSON.stringify(r);
  out.textContent = JSON.stringify(r, null, 2);
  out.dataset.state = 'done';
}

main().catch((error) => {
  const out = document.getElementById('results');
  out.textContent = `failed: ${error}`;
  out.dataset.state = 'failed';
});
