// The "main thread vs worker pool" demo: same result both ways, a frozen page on the main
// thread, a smooth one with the pool, under the page's strict CSP (module workers, no blob:).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, screenshots } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the worker pool counts the same primes as the main thread and keeps the page smooth', async () => {
  const { page, errors } = await open(browser);
  await page.locator('#pool-limit').selectOption('5000000');
  await page.locator('#pool-run:enabled').click();
  await page.locator('#pool-result[data-state="done"], #pool-result[data-state="failed"]')
    .waitFor({ timeout: 120_000 });
  const text = await page.locator('#pool-result').textContent();
  console.log(`# measured in Chromium: ${text.replaceAll('\n', ' | ')}`);
  assert.equal(await page.locator('#pool-result').getAttribute('data-state'), 'done', text);
  const r = JSON.parse(await page.locator('#pool-result').getAttribute('data-json'));
  assert.equal(r.poolCount, r.count, 'the pool and the main thread agree');
  assert.equal(r.count, 348_513, 'primes below 5,000,000');
  assert.ok(r.workers >= 1);
  assert.ok(r.mainGapMs >= r.mainMs * 0.5, `the main-thread run froze the page (${r.mainGapMs} ms gap)`);
  assert.ok(r.poolGapMs < 50, `frames kept coming during the pool run (longest gap ${r.poolGapMs} ms)`);
  assert.match(text, /Speedup: \d+\.\d\dx/);
  await page.screenshot({ path: `${screenshots}pool-1280x800.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${screenshots}pool-390x844.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
