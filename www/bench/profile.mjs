// Where the time goes on the benchmark page, thread by thread (the page and each worker): runs
// bench/?QUERY under Chromium's sampling profiler (a trace with V8's cpu_profiler category, which
// covers workers too) and prints each busy thread's functions by self time.
// Usage (with the page served, e.g. by `cargo xtask play`):
//   WEFT_BASE_URL=http://127.0.0.1:8080/ node bench/profile.mjs 'quick&only=W1' [top]
import { launch, baseUrl } from '../tests/browser.mjs';

const [query = 'quick&only=W1', top = '25'] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log('page:', m.text()));
  await browser.startTracing(page, {
    categories: ['-*', 'disabled-by-default-v8.cpu_profiler', '__metadata'],
  });
  await page.goto(new URL(`bench/?${query}`, baseUrl).href);
  const results = page.locator('#results[data-state="done"], #results[data-state="failed"]');
  await results.waitFor({ timeout: 600_000 });
  console.log(await results.textContent());
  const trace = JSON.parse((await browser.stopTracing()).toString());
  report(trace.traceEvents ?? trace, Number(top));
} finally {
  await browser.close();
}

function report(events, top) {
  const threadNames = new Map();
  const profiles = new Map(); // pid:id -> { thread, nodes, self }
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name);
    if (e.name === 'Profile') {
      profiles.set(`${e.pid}:${e.id}`, { thread: `${e.pid}:${e.tid}`, nodes: new Map(), parents: new Map(), self: new Map(), total: new Map() });
    }
  }
  for (const e of events) {
    if (e.name !== 'ProfileChunk') continue;
    const profile = profiles.get(`${e.pid}:${e.id}`);
    const data = e.args?.data;
    if (!profile || !data) continue;
    for (const node of data.cpuProfile?.nodes ?? []) {
      profile.nodes.set(node.id, node.callFrame);
      if (node.parent !== undefined) profile.parents.set(node.id, node.parent);
    }
    const samples = data.cpuProfile?.samples ?? [];
    const deltas = data.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const label = (id) => {
        const frame = profile.nodes.get(id);
        return frame ? `${frame.functionName || '(anonymous)'} ${(frame.url ?? '').split('/').pop()}:${frame.lineNumber ?? ''}` : '?';
      };
      const name = label(samples[i]);
      profile.self.set(name, (profile.self.get(name) ?? 0) + (deltas[i] ?? 0));
      // Inclusive time: every function on the sampled stack, once each.
      const seen = new Set();
      for (let id = samples[i]; id !== undefined; id = profile.parents.get(id)) {
        const n = label(id);
        if (seen.has(n)) continue;
        seen.add(n);
        profile.total.set(n, (profile.total.get(n) ?? 0) + (deltas[i] ?? 0));
      }
    }
  }
  for (const profile of profiles.values()) {
    const total = [...profile.self.entries()]
      .filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(program)'))
      .reduce((sum, [, us]) => sum + us, 0);
    if (total < 50_000) continue; // threads that were not busy
    console.log(`\n== ${threadNames.get(profile.thread) ?? profile.thread}: ${(total / 1000).toFixed(0)} ms busy`);
    const rows = [...profile.self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [name, us] of rows) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${name.slice(0, 120)}`);
    console.log('-- inclusive');
    const totals = [...profile.total.entries()].filter(([n]) => !n.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [name, us] of totals) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${name.slice(0, 120)}`);
  }
}
