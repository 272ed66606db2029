// Shared set-up for the package tests: Debian's Chromium via playwright-core, one page with the
// built package loaded as `window.weft`, console errors collected.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const baseUrl = process.env.WEFT_BASE_URL ?? 'http://127.0.0.1:8080/';

export async function openPackage() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${baseUrl}harness/index.html`);
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'ready');
  return { browser, page, errors };
}

/** Opens the package page for this test file; returns `run(fn, arg)` (page.evaluate). */
export function usePage() {
  const ctx = {};
  before(async () => { Object.assign(ctx, await openPackage()); });
  after(async () => {
    await ctx.browser.close();
    assert.deepEqual(ctx.errors, [], 'no console errors');
  });
  // A test that never settles in the page fails after 30 s instead of hanging the suite.
  return (fn, arg) => Promise.race([
    ctx.page.evaluate(fn, arg),
    new Promise((_, reject) => {
      setTimeout(() => reject(new Error('the page did not answer within 30 s')), 30_000).unref();
    }),
  ]);
}

/**
 * Checks the rows of `window.bad`: every case gave its expected error (never a wasm trap) and
 * the module still worked afterwards. Prints the count for the bad-input tally.
 */
export function assertBad(rows, min = 1) {
  assert.ok(rows.length >= min, `at least ${min} cases`);
  for (const [label, expected, got, afterwards] of rows) {
    assert.equal(got, expected, `${label}: expected ${expected}, got ${got}`);
    assert.equal(afterwards, 'ok', `${label}: the module must still work afterwards`);
  }
  console.log(`# bad inputs: ${rows.length}`);
}
