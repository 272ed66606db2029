// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const baseUrl = process.env.WEFT_BASE_URL ?? 'http://127.0.0.1:8080/';
export const screenshots = fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
mkdirSync(screenshots, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens the playground and records every console error, CSP report and uncaught exception. */
export async function open(browser, { width = 1280, height = 800 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  const console = [];
  page.on('console', (message) => {
    console.push(message.text());
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(baseUrl);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
  return { page, errors, console };
}

/** Sets the demo's inputs (range inputs and selects) by name. */
export async function setInputs(page, demo, values) {
  for (const [name, value] of Object.entries(values)) {
    await page.locator(`#${demo}-${name}`).evaluate((input, v) => {
      input.value = String(v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, value);
  }
}

/** Clicks the demo's Run button, waits for its result; gives the result's data and text. */
export async function runDemo(page, demo, timeout = 60_000) {
  await page.locator(`#${demo}-run:enabled`).click();
  const result = page.locator(`#${demo}-result`);
  await page.locator(`#${demo}-result[data-state="done"], #${demo}-result[data-state="failed"]`)
    .waitFor({ timeout });
  const text = await result.textContent();
  const state = await result.getAttribute('data-state');
  if (state !== 'done') throw new Error(`${demo} failed: ${text}`);
  return { data: JSON.parse(await result.getAttribute('data-json')), text };
}

/** The timeline's rows: `[{ label, state, segments: [state…] }]`. */
export function timelineRows(page, demo) {
  return page.locator(`#${demo}-timeline g.row`).evaluateAll((rows) => rows.map((row) => ({
    label: row.dataset.row,
    state: row.dataset.state,
    segments: [...row.querySelectorAll('rect.seg')].map((r) => r.dataset.state),
  })));
}
