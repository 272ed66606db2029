// An app's own ES module of worker functions, for the JS-module jobs of the browser pool.
// Loaded by the test as a wasm-bindgen snippet, so it is served same-origin next to the glue.

/** This module's URL, which the pool's workers import. */
export function moduleUrl() {
  return import.meta.url;
}

export function add(a, b) {
  return a + b;
}

export async function slowEcho(value, ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
}

/** Flips every byte and hands the same buffer back (moved both ways, never copied). */
export function invert(buffer) {
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = 255 - bytes[i];
  return buffer;
}

export function fail(message) {
  throw new TypeError(message);
}

export function spin() {
  for (;;) {}
}

// Runs of `record`, as the page hears of them: each worker posts the value it was called with to
// a BroadcastChannel, so a test can tell a job that ran twice (or that should not have run).
const RUNS = 'weft-test-runs';
const heard = [];
if (typeof window !== 'undefined') new BroadcastChannel(RUNS).onmessage = ({ data }) => heard.push(data);
let channel = null;

/** Tells the page it ran with `value`, and gives `value` back. */
export function record(value) {
  channel ??= new BroadcastChannel(RUNS);
  channel.postMessage(value);
  return value;
}

/** How many times the page heard of `record(value)` running. */
export function timesRecorded(value) {
  return heard.filter((v) => v === value).length;
}
