// An app's own module of worker functions, for the WorkerPool tests (served next to the page).

export function add(a, b) {
  return a + b;
}

export async function later(value, ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
}

/** Flips every byte in place and hands the same buffer back (moved both ways). */
export function invert(buffer) {
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = 255 - bytes[i];
  return buffer;
}

/** Hands the buffer back untouched: the round trip alone. */
export function echo(buffer) {
  return buffer;
}

export function fail(message) {
  throw new RangeError(message);
}

export function spin() {
  for (;;) {}
}

/** A value that cannot be sent back to the page. */
export function unsendable() {
  return () => 1;
}

export function whereAmI() {
  return typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope ? 'worker' : 'page';
}
