// The walking skeleton's page: the seeds' sequential vs concurrent demo, and a panic's message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, screenshots } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('sequential vs concurrent shows the measured speedup', async () => {
  const { page, errors } = await open(browser);
  await page.locator('#seq-run:enabled').click();
  await page.locator('#seq-result[data-state="done"]').waitFor({ timeout: 20_000 });
  const r = JSON.parse(await page.locator('#seq-result').getAttribute('data-json'));
  const text = await page.locator('#seq-result').textContent();
  console.log(`# measured in Chromium: ${text}`);
  assert.ok(r.sequentialMs >= 800, `sequential ${r.sequentialMs} ms is the sum of 500 + 300`);
  assert.ok(r.concurrentMs >= 500, `concurrent ${r.concurrentMs} ms is at least the longest call`);
  assert.ok(r.concurrentMs < r.sequentialMs, 'concurrent beats sequential');
  // Not tighter above: late timers on a loaded machine stretch the sequential run (0.91 s seen).
  assert.ok(r.speedup > 1.2 && r.speedup < 2, `speedup ${r.speedup} is about 1.6x`);
  assert.match(text, /Speedup: 1\.\dx/);
  await page.screenshot({ path: `${screenshots}skeleton-1280x800.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${screenshots}skeleton-390x844.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a panic in a task prints its message to the console', async () => {
  const { page, console } = await open(browser);
  const message = page.waitForEvent('console', {
    predicate: (m) => m.type() === 'error' && m.text().includes('boom from the playground'),
    timeout: 10_000,
  });
  await page.locator('#panic-run:enabled').click();
  const logged = await message;
  assert.match(logged.text(), /panicked at .*boom from the playground/s);
  assert.ok(console.length > 0);
  await page.close();
});
