// "Choosing a concurrency model": the same primes on the main thread and on the worker pool,
// a frozen page on the main thread, a smooth one with the pool, under the strict CSP (module
// workers, no blob:).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpus, loadavg } from 'node:os';
import { launch, open, screenshots, setInputs, runDemo, timelineRows } from './browser.mjs';

/** The longest gap between `count` frames of the page doing nothing. */
function idleGap(page, count) {
  return page.evaluate((count) => new Promise((resolve) => {
    let last = 0;
    let longest = 0;
    let n = 0;
    const frame = (t) => {
      if (last) longest = Math.max(longest, t - last);
      last = t;
      if (++n < count) requestAnimationFrame(frame);
      else resolve(longest);
    };
    requestAnimationFrame(frame);
  }), count);
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the worker pool counts the same primes as the main thread and keeps the page smooth', async () => {
  const { page, errors } = await open(browser);
  await page.locator('#cpu').scrollIntoViewIfNeeded();
  await setInputs(page, 'cpu', { limit: 2000000 });
  // The bound is 50 ms. On a shared machine other processes can starve any page of a core
  // (an idle page then misses frames too): when the load average is over 1.5 per core, the
  // bound is relative instead — the pool run's longest gap under a quarter of the
  // main-thread run's. Up to three runs; the first that passes counts.
  const load = loadavg()[0] / cpus().length;
  const runs = [];
  for (let run = 0; run < 3 && !runs.some((r) => r.passed); run++) {
    const { data, text } = await runDemo(page, 'cpu', 180_000);
    console.log(`# measured in Chromium: ${text}`);
    assert.equal(data.count, 148_933, 'primes below 2,000,000');
    assert.equal(data.poolCount, data.count, 'the pool and the main thread agree');
    assert.ok(data.workers >= 1);
    assert.ok(data.mainGapMs >= data.mainMs * 0.5, `the main-thread run froze the page (${data.mainGapMs} ms gap)`);
    const idleGapMs = await idleGap(page, Math.max(90, Math.ceil(data.poolMs / 16.7)));
    const passed = data.poolGapMs < 50 || (load > 1.5 && data.poolGapMs * 4 < data.mainGapMs);
    runs.push({ poolGapMs: data.poolGapMs, mainGapMs: data.mainGapMs, idleGapMs, passed });
  }
  if (runs.every((r) => r.poolGapMs >= 50)) {
    console.log(`# load average ${load.toFixed(1)} per core; frame gaps: ${JSON.stringify(runs)}`);
  }
  assert.ok(runs.some((r) => r.passed), `frames kept coming during the pool run: ${JSON.stringify(runs)}`);
  const rows = await timelineRows(page, 'cpu');
  assert.deepEqual(rows.map((r) => [r.label, r.state]), [['main thread', 'done'], ['worker pool', 'done']]);
  assert.match(await page.locator('#cpu-result').textContent(), /Speedup\d+\.\d\dx/);
  await page.locator('#cpu').screenshot({ path: `${screenshots}cpu-1280x800.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('#cpu').screenshot({ path: `${screenshots}cpu-390x844.png` });
  assert.deepEqual(errors, []);
  await page.close();
});
