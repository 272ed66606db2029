// Exercises every export of the npm package from a real app, typed under tsc --strict.
// Each check returns nothing or throws; the page reports which passed.
import { gather, sleep, timeout, TimeoutError, WeftError } from 'weft';
import type { Settled, Task } from 'weft';

type Check = [name: string, run: () => Promise<void>];

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const checks: Check[] = [
  ['sleep waits', async () => {
    const start = performance.now();
    await sleep(20);
    assert(performance.now() - start >= 19.5, 'slept too little');
  }],
  ['gather keeps order and settles', async () => {
    const tasks: Task<number>[] = [30, 10, 20].map((ms) => async (signal: AbortSignal) => {
      await sleep(ms, { signal });
      return ms;
    });
    const values: number[] = await gather(tasks);
    assert(values.join() === '30,10,20', `got ${values.join()}`);
    const settled: Settled<number>[] = await gather([async () => 1, async () => { throw new Error('x'); }], { settle: true });
    assert(settled[0]?.status === 'fulfilled' && settled[1]?.status === 'rejected', 'settle');
  }],
  ['timeout rejects with TimeoutError and aborts the task', async () => {
    let aborted = false;
    try {
      await timeout((signal) => new Promise<never>(() => { signal.addEventListener('abort', () => { aborted = true; }); }), 10);
      throw new Error('resolved');
    } catch (error) {
      assert(error instanceof TimeoutError && error instanceof WeftError, `not a TimeoutError: ${error}`);
      assert(error.timeout === 10, 'timeout field');
    }
    assert(aborted, 'the task was not aborted');
  }],
  ['an aborted signal rejects with its reason', async () => {
    const reason = new Error('stop');
    try {
      await sleep(10, { signal: AbortSignal.abort(reason) });
      throw new Error('resolved');
    } catch (error) {
      assert(error === reason, 'not the reason');
    }
  }],
];

async function main(): Promise<void> {
  const out = document.getElementById('results');
  assert(out, 'no #results');
  const passed: string[] = [];
  const failed: string[] = [];
  for (const [name, run] of checks) {
    try {
      await run();
      passed.push(name);
    } catch (error) {
      failed.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  out.dataset.json = JSON.stringify({ passed, failed });
  out.textContent = [...passed.map((n) => `ok  ${n}`), ...failed.map((n) => `FAIL ${n}`)].join('\n');
  out.dataset.state = failed.length ? 'failed' : 'done';
}

void main();
