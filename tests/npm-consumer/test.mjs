// Opens the built consumer app in Chromium and checks every export's check passed, with no
// console errors under the strict Content-Security-Policy. Run by cargo xtask test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

test('the Vite app built from the packed tarball runs every export', async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(process.env.WEFT_BASE_URL);
    const results = page.locator('#results[data-state="done"], #results[data-state="failed"]');
    await results.waitFor({ timeout: 120_000 });
    const { passed, failed } = JSON.parse(await results.getAttribute('data-json'));
    console.log(`# consumer app: ${passed.length} checks passed`);
    assert.deepEqual(failed, []);
    assert.ok(passed.length > 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
