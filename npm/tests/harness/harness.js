// Loads the built package as a browser app would and hands it to the tests (page.evaluate).
import * as weft from '../weft/index.js';

window.weft = weft;

// Runs each bad call and, after each, `valid()` (the module must still work). A case is
// `[label, expectedErrorName, () => call]`; a call may throw or reject. Returns rows of
// `[label, expected, got, afterwards]`; a wasm trap shows as `got: 'TRAP'`.
window.bad = async (cases, valid) => {
  const rows = [];
  for (const [label, expected, call] of cases) {
    let got;
    try {
      const out = call();
      if (out && typeof out.then === 'function') await out;
      got = 'no error';
    } catch (error) {
      got = error instanceof Error ? error.name : `non-error ${String(error)}`;
      if (error instanceof WebAssembly.RuntimeError || /unreachable/.test(String(error?.message))) {
        got = 'TRAP';
      }
    }
    let afterwards;
    try {
      afterwards = (await valid()) === true ? 'ok' : 'wrong result';
    } catch (error) {
      afterwards = `broken: ${error}`;
    }
    rows.push([label, expected, got, afterwards]);
  }
  return rows;
};

// A task that records its signal and resolves with `value` after `ms` (never, if ms < 0),
// rejecting with the signal's reason if aborted.
window.probe = (log, value, ms) => (signal) => {
  log.push(signal);
  return new Promise((resolve, reject) => {
    if (ms >= 0) setTimeout(() => resolve(value), ms);
    signal.addEventListener('abort', () => reject(signal.reason));
  });
};

document.querySelector('#status').textContent = 'ready';
