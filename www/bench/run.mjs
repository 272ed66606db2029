// Opens the browser benchmark page in Chromium and writes its rows as JSON (cargo xtask bench).
// Usage: node bench/run.mjs OUT.json [--quick]
import { writeFileSync } from 'node:fs';
import { launch, baseUrl } from '../tests/browser.mjs';

const [out, flag] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(new URL(`bench/${flag === '--quick' ? '?quick' : ''}`, baseUrl).href);
  const results = page.locator('#results[data-state="done"], #results[data-state="failed"]');
  await results.waitFor({ timeout: 600_000 });
  const text = await results.textContent();
  if ((await results.getAttribute('data-state')) !== 'done' || errors.length) {
    throw new Error(`benchmark failed: ${text} ${errors.join('; ')}`);
  }
  console.log(text);
  writeFileSync(out, await results.getAttribute('data-json'));
} finally {
  await browser.close();
}
