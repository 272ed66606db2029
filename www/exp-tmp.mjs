import { launch } from './tests/browser.mjs';
const browser = await launch();
const page = await browser.newPage();
page.on('pageerror', (e) => console.log('pageerror', String(e)));
await page.goto('http://127.0.0.1:8099/bench/exp.html');
await page.waitForFunction(() => document.getElementById('o')?.textContent.length > 2, null, { timeout: 60000 });
console.log(await page.locator('#o').textContent());
await browser.close();
