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
