// Shared set-up for the package tests: Debian's Chromium via playwright-core, one page with the
// built package loaded as `window.weft`, console errors collected.
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
