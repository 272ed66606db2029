// The app module the WorkerPool benchmark calls: the buffer straight back (the round trip alone).
export function echo(buffer) {
  return buffer;
}
