// The types of tasks.js, for `WorkerPool.create<typeof import('./tasks.js')>`.
export function sum(numbers: number[]): number;
export function invert(buffer: ArrayBuffer): ArrayBuffer;
export function spin(): never;
export function fail(message: string): never;
