// Every demo of the playground, as a visitor would use it: open the page, set the inputs, press
// Run, read the result and the timeline drawn from weft's Recorder. Timing bounds are generous:
// the machine is shared and its timers run late under load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, screenshots, setInputs, runDemo, timelineRows } from './browser.mjs';

let browser;
let session;
before(async () => {
  browser = await launch();
  session = await open(browser);
});
after(async () => { await browser?.close(); });

const count = (rows, state) => rows.filter((r) => r.state === state).length;
const shot = (demo) => session.page.locator(`#${demo}`).screenshot({ path: `${screenshots}${demo}-1280x800.png` });

test('the page has a section, a Rust and a JavaScript listing and a Run button per demo', async () => {
  const { page } = session;
  const ids = await page.locator('section.demo').evaluateAll((s) => s.map((x) => x.id));
  assert.deepEqual(ids, ['gather', 'as-completed', 'wait', 'group', 'semaphore', 'rate', 'retry',
    'pipeline', 'batch', 'pool', 'timeout', 'cpu']);
  for (const id of ids) {
    assert.equal(await page.locator(`#${id} pre.code`).count(), 2, `${id}: two listings`);
    assert.match(await page.locator(`#${id} pre.code code.lang-rust`).textContent(), /weft::/);
    assert.match(await page.locator(`#${id} pre.code code.lang-js`).textContent(), /\S/);
    assert.ok(await page.locator(`#${id}-run`).isEnabled(), `${id}: Run is enabled`);
  }
  // Every input has a label.
  const unlabelled = await page.locator('input, select').evaluateAll((inputs) => inputs
    .filter((i) => !i.labels || i.labels.length === 0).map((i) => i.id));
  assert.deepEqual(unlabelled, []);
  await page.screenshot({ path: `${screenshots}top-1280x800.png` });
});

test('sequential vs concurrent: about 0.8 s against 0.5 s, a 1.6x speedup', async () => {
  const { page } = session;
  const { data, text } = await runDemo(page, 'gather');
  console.log(`# measured in Chromium: ${text}`);
  assert.ok(data.sequentialMs >= 800, `sequential ${data.sequentialMs} ms is the sum of 500 + 300`);
  assert.ok(data.concurrentMs >= 500, `concurrent ${data.concurrentMs} ms is at least the longest call`);
  assert.ok(data.concurrentMs < data.sequentialMs);
  // Not tighter: late timers on a loaded machine stretch the runs.
  assert.ok(data.speedup > 1.2 && data.speedup < 2, `speedup ${data.speedup} is about 1.6x`);
  assert.match(text, /Speedup1\.\dx/);
  const rows = await timelineRows(page, 'gather');
  assert.deepEqual(rows.map((r) => r.label), ['seq · fetchUser', 'seq · fetchPosts', 'gather · fetchUser', 'gather · fetchPosts']);
  assert.equal(count(rows, 'done'), 4);
  await shot('gather');
});

test('as_completed yields in finishing order: api2, api3, api1', async () => {
  const { page } = session;
  await setInputs(page, 'as-completed', { api1: 1200, api2: 300, api3: 600 });
  const { data } = await runDemo(page, 'as-completed');
  assert.deepEqual(data.order, ['api2', 'api3', 'api1']);
  assert.deepEqual(data.indexes, [1, 2, 0]);
  const rows = await timelineRows(page, 'as-completed');
  assert.deepEqual(rows.map((r) => r.label), ['api1', 'api2', 'api3']);
  assert.equal(count(rows, 'done'), 3);
  assert.deepEqual(await page.locator('#as-completed-timeline .row-note').allTextContents(), ['3rd', '1st', '2nd']);
  await shot('as-completed');
});

test('wait(FIRST_COMPLETED) returns the first; the pending two are cancelled', async () => {
  const { page } = session;
  await setInputs(page, 'wait', { url1: 300, url2: 1500, url3: 2500 });
  const { data } = await runDemo(page, 'wait');
  assert.equal(data.first.url, 'url1');
  assert.equal(data.done, 1);
  assert.equal(data.pending, 2);
  const rows = await timelineRows(page, 'wait');
  assert.deepEqual(rows.map((r) => [r.label, r.state]), [['url1', 'done'], ['url2', 'cancelled'], ['url3', 'cancelled']]);
  await shot('wait');
});

test('TaskGroup: a failing child cancels its running siblings', async () => {
  const { page } = session;
  await setInputs(page, 'group', { count: 6, ms: 200, failAt: 2 });
  const { data } = await runDemo(page, 'group');
  assert.deepEqual(data.indexes, [2]);
  assert.match(data.errors[0], /item 2 failed/);
  const rows = await timelineRows(page, 'group');
  assert.equal(rows.length, 6);
  assert.deepEqual(rows.map((r) => r.state), ['done', 'done', 'failed', 'cancelled', 'cancelled', 'cancelled']);
  await shot('group');
});

test('semaphore: never more than the limit in flight, the rest queued', async () => {
  const { page } = session;
  await setInputs(page, 'semaphore', { count: 10, limit: 3, ms: 300 });
  const { data } = await runDemo(page, 'semaphore');
  assert.equal(data.results, 10);
  assert.equal(data.maxInFlight, 3);
  const rows = await timelineRows(page, 'semaphore');
  assert.equal(rows.length, 10);
  assert.equal(count(rows, 'done'), 10);
  assert.ok(rows.filter((r) => r.segments.includes('queued')).length >= 6, 'the last seven waited for a permit');
  assert.ok(await page.locator('#semaphore-chart path.line').count() >= 1, 'in flight is plotted');
  await shot('semaphore');
});

test('rate limiter: at most max starts in any one-second window, plotted per second', async () => {
  const { page } = session;
  await setInputs(page, 'rate', { count: 12, max: 5, ms: 50 });
  const { data } = await runDemo(page, 'rate');
  assert.equal(data.results, 12);
  // Counted from when each call first ran: a grant's task may run a little late on a busy
  // machine, so the window checked is 50 ms short of the second.
  assert.ok(data.maxPerWindowLate <= 5, `${data.maxPerWindowLate} starts in 950 ms (${data.maxPerWindow} in 1 s)`);
  const rows = await timelineRows(page, 'rate');
  assert.equal(count(rows, 'done'), 12);
  assert.ok(rows.filter((r) => r.segments.includes('queued')).length >= 7);
  assert.ok(await page.locator('#rate-chart rect.bar').count() >= 3, 'starts per second are plotted');
  await shot('rate');
});

test('retry: every attempt and every backoff wait is on the timeline', async () => {
  const { page } = session;
  // Always failing: each call gives up after exactly `attempts` tries.
  await setInputs(page, 'retry', { count: 3, attempts: 3, failRate: 100, minDelay: 50 });
  const { data } = await runDemo(page, 'retry');
  assert.equal(data.gaveUp, 3);
  assert.equal(data.tries, 9);
  const rows = await timelineRows(page, 'retry');
  assert.equal(rows.length, 3);
  for (const row of rows) {
    assert.deepEqual(row.segments, ['failed', 'retried', 'failed', 'retried', 'failed'], row.label);
  }
  // Never failing: one attempt each.
  await setInputs(page, 'retry', { failRate: 0 });
  const ok = await runDemo(page, 'retry');
  assert.equal(ok.data.ok, 3);
  assert.equal(ok.data.tries, 3);
  await setInputs(page, 'retry', { count: 5, attempts: 4, failRate: 50, minDelay: 100 });
  await runDemo(page, 'retry');
  await shot('retry');
});

test('producer/consumer: every item done once, the queue depth within capacity', async () => {
  const { page } = session;
  await setInputs(page, 'pipeline', { items: 12, workers: 2, capacity: 3, produceMs: 20, consumeMs: 150 });
  const { data } = await runDemo(page, 'pipeline');
  assert.equal(data.submitted, 12);
  assert.equal(data.done, 12);
  assert.ok(data.maxDepth <= 3 && data.maxDepth >= 1, `deepest queue ${data.maxDepth}`);
  const rows = await timelineRows(page, 'pipeline');
  assert.equal(rows.length, 12);
  assert.equal(count(rows, 'done'), 12);
  assert.ok(rows.some((r) => r.segments.includes('queued')));
  assert.ok(await page.locator('#pipeline-chart path.line').count() >= 1, 'queue depth is plotted');
  await shot('pipeline');
});

test('batch: the progress bar reaches the total once, one row per batch', async () => {
  const { page } = session;
  await setInputs(page, 'batch', { users: 100, size: 20, batches: 2, itemMs: 30, failRate: 0 });
  const { data } = await runDemo(page, 'batch');
  assert.equal(data.done, 100);
  assert.equal(data.total, 100);
  assert.equal(data.batches, 5);
  assert.equal(data.reports, 5, 'one report per batch');
  assert.equal(await page.locator('#batch [role=progressbar]').getAttribute('aria-valuenow'), '100');
  const rows = await timelineRows(page, 'batch');
  assert.equal(rows.length, 5);
  assert.equal(count(rows, 'done'), 5);
  await shot('batch');
});

test('resource pool: at most max connections checked out, the other queries wait', async () => {
  const { page } = session;
  await setInputs(page, 'pool', { queries: 8, max: 3, queryMs: 200 });
  const { data } = await runDemo(page, 'pool');
  assert.equal(data.results, 8);
  assert.ok(data.opened <= 3);
  assert.equal(data.maxCheckedOut, 3);
  const rows = await timelineRows(page, 'pool');
  assert.equal(rows.length, 8);
  assert.equal(count(rows, 'done'), 8);
  assert.ok(rows.filter((r) => r.segments.includes('queued')).length >= 4);
  await shot('pool');
});

test('timeout: the slow requests are cancelled at the limit, the fast ones answer', async () => {
  const { page } = session;
  await setInputs(page, 'timeout', { count: 6, limitMs: 400, fastMs: 100, slowMs: 3000 });
  const { data } = await runDemo(page, 'timeout');
  assert.equal(data.timedOut, 2);
  assert.equal(data.ok, 4);
  const rows = await timelineRows(page, 'timeout');
  assert.deepEqual(rows.map((r) => r.state), ['done', 'done', 'cancelled', 'done', 'done', 'cancelled']);
  await shot('timeout');
});

test('the page works with the keyboard alone', async () => {
  const { page } = session;
  await page.locator('#gather-userMs').focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#gather-userMs-value').textContent(), '450 ms');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'gather-run');
  await page.keyboard.press('Enter');
  await page.locator('#gather-result[data-state="done"]').waitFor({ timeout: 20_000 });
});

test('no console errors, and the phone layout has no horizontal scroll', async () => {
  const { page, errors } = session;
  assert.deepEqual(errors, []);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${screenshots}top-390x844.png` });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
  for (const demo of ['gather', 'semaphore', 'retry', 'batch']) {
    await page.locator(`#${demo}`).screenshot({ path: `${screenshots}${demo}-390x844.png` });
  }
});
