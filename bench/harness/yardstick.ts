/** One pass of the fixed work: 50 million steps of integer arithmetic, no allocation. */
function pass(): number {
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (Math.imul(x, 31) + i) | 0;
  return x;
}

/**
 * Milliseconds for a fixed single-threaded workload, the median of 5 passes: how fast
 * this machine's cores were. Absolute figures in docs/benchmarks.md move with it from
 * machine to machine; ratios against same-run baselines move much less. Arithmetic
 * without allocation, so garbage collection does not blur it (a JSON and hashing
 * workload varied by ±20 % between calls, this by about 2 %). Taken before and after
 * the run, so a machine that slowed down meanwhile shows.
 */
export function cpuYardstick(): number {
  let sink = pass(); // optimised, not measured
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    sink ^= pass();
    times.push(performance.now() - started);
  }
  if (sink === 0.5) throw new Error('unreachable: keeps the passes from being optimised away');
  times.sort((a, b) => a - b);
  return Math.round(times[2]);
}
