// Opens the built bench page in headless Chromium and writes its rows to the JSON file given
// as the first argument (`--quick` for fewer calls and rounds). Run by `cargo xtask bench`.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [outPath, ...rest] = process.argv.slice(2);
const quick = rest.includes('--quick');
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
  await page.goto(`${process.env.WEFT_BASE_URL}${quick ? '?quick' : ''}`);
  const results = page.locator('#results[data-state="done"], #results[data-state="failed"]');
  await results.waitFor({ timeout: 600_000 });
  if ((await results.getAttribute('data-state')) !== 'done') {
    throw new Error(`the bench page failed: ${await results.textContent()}`);
  }
  if (errors.length) throw new Error(`console errors: ${errors.join('\n')}`);
  const rows = JSON.parse(await results.getAttribute('data-json'));
  for (const r of rows) {
    console.log(`${r.id}  ${r.workload}: weft ${r.weft.toFixed(3)} ${r.unit}, ${r.anchor_name} ${r.anchor.toFixed(3)} ${r.unit}, ratio ${r.ratio.toFixed(2)} (goal ${r.goal})`);
  }
  writeFileSync(outPath, JSON.stringify(rows, null, 2));
} finally {
  await browser.close();
}
