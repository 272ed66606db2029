// The app's own worker module for WorkerPool. Loaded by URL (`new URL('./tasks.js?no-inline',
// import.meta.url)`), which Vite copies as it is: plain JS with no imports.

export function sum(numbers) {
  return numbers.reduce((a, b) => a + b, 0);
}

/** Flips every byte of the buffer in place and hands it back (moved both ways). */
export function invert(buffer) {
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = 255 - bytes[i];
  return buffer;
}

export function spin() {
  for (;;) {}
}

export function fail(message) {
  throw new TypeError(message);
}
