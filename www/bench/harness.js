// The browser half of `cargo xtask bench`: the same method as the native harness
// (bench/src/harness.rs) — one warm-up round, then every implementation once per round in an
// order that rotates between rounds; medians; ratio = weft / anchor.

export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Measures `impls` ({ name, run: async () => value }) side by side; `impls[0]` is weft.
 * Returns one row per anchor, shaped like results.json.
 */
export async function compare({ id, workload, unit, goals, rounds, impls }) {
  // `?impl=raw` runs only the implementations whose name contains it (to profile one alone); the
  // figures are then printed to the console instead of making rows.
  const alone = new URLSearchParams(location.search).get('impl');
  if (alone) {
    for (const impl of impls.filter((i) => i.name.includes(alone))) {
      const values = [];
      for (let round = 0; round <= rounds; round++) values.push(await impl.run());
      console.log(`${id} ${impl.name}: ${median(values.slice(1)).toFixed(2)} ${unit}`);
    }
    return [];
  }
  const samples = impls.map(() => []);
  for (let round = 0; round <= rounds; round++) {
    for (let k = 0; k < impls.length; k++) {
      const i = (round + k) % impls.length;
      const value = await impls[i].run();
      if (round > 0) samples[i].push(value);
    }
  }
  const medians = samples.map(median);
  return impls.slice(1).map((anchor, k) => ({
    id, workload, unit,
    weft: medians[0],
    anchor: medians[k + 1],
    anchor_name: anchor.name,
    ratio: medians[0] / medians[k + 1],
    goal: goals[k] ?? 'reference',
  }));
}
