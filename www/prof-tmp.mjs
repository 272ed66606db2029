import { launch } from './tests/browser.mjs';
const browser = await launch();
const page = await browser.newPage();
await page.goto('http://127.0.0.1:8099/bench/exp.html');
await page.waitForFunction(() => document.getElementById('o')?.textContent === 'ready', null, { timeout: 60000 });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 20 });
await cdp.send('Profiler.start');
const mean = await page.evaluate(() => window.go(3000));
const { profile } = await cdp.send('Profiler.stop');
console.log('mean ms', mean);
const self = new Map();
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const dt = profile.timeDeltas; let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const n = byId.get(profile.samples[i]); const k = (n.callFrame.functionName || '(anon)') + ' ' + n.callFrame.url.split('/').pop() + ':' + n.callFrame.lineNumber;
  self.set(k, (self.get(k) || 0) + dt[i]); total += dt[i];
}
console.log('total sampled ms', total / 1000);
console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${(v / 3000).toFixed(1)} us/job ${k.slice(0, 110)}`).join('\n'));
await browser.close();
