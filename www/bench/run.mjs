// Opens the pool benchmark page in Chromium and prints its figures (cargo xtask bench-pool).
import { launch, baseUrl } from '../tests/browser.mjs';

const browser = await launch();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(new URL('bench/', baseUrl).href);
  const results = page.locator('#results[data-state="done"], #results[data-state="failed"]');
  await results.waitFor({ timeout: 300_000 });
  if ((await results.getAttribute('data-state')) !== 'done' || errors.length) {
    throw new Error(`benchmark failed: ${await results.textContent()} ${errors.join('; ')}`);
  }
  const r = JSON.parse(await results.getAttribute('data-json'));
  const f = (x, d = 3) => x.toFixed(d);
  console.log(`browser: tiny job round trip through the pool ${f(r.poolRoundTripMs)} ms vs raw postMessage ${f(r.rawRoundTripMs)} ms -> ${f(r.roundTripRatio, 2)}x (goal <= 1.2x)`);
  console.log(`browser: tiny job round trip through the pool ${f(r.poolRoundTripMs)} ms vs hand-written postMessage + the same wasm export call ${f(r.rawCallRoundTripMs)} ms -> ${f(r.callRatio, 2)}x`);
  console.log(`browser: 2 jobs counting primes below 3,000,000: 1 worker ${f(r.oneWorkerMs, 0)} ms, 2 workers ${f(r.twoWorkersMs, 0)} ms -> ${f(r.speedup, 2)}x speedup (goal >= 1.85x; ${r.workers} cores)`);
  console.log(`browser: 64 MiB Bytes to a Rust function on a worker and back ${f(r.poolBytesMs, 1)} ms vs hand-written transfer + copies ${f(r.rawBytesMs, 1)} ms -> ${f(r.bytesRatio, 2)}x (goal <= 1.2x)`);
} finally {
  await browser.close();
}
