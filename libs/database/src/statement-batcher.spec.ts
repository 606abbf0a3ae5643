import { StatementBatcher } from './statement-batcher';

/** A statement whose batches the test finishes by hand, and that records what it was given. */
function manualStatement() {
  const batches: number[][] = [];
  const finishers: (() => void)[] = [];
  const run = (inputs: number[]) => {
    batches.push(inputs);
    return new Promise<(number | Error)[]>((resolve) =>
      finishers.push(() => resolve(inputs.map((n) => (n < 0 ? new Error(`bad ${n}`) : n * 10)))),
    );
  };
  return { batches, finishers, run };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('StatementBatcher', () => {
  it('sends the callers of one turn together, and each gets its own answer', async () => {
    const s = manualStatement();
    const batcher = new StatementBatcher(s.run, { maxBatch: 10, maxInFlight: 2 });
    const answers = Promise.allSettled([1, -2, 3].map((n) => batcher.submit(n)));
    await turn();
    expect(s.batches).toEqual([[1, -2, 3]]);
    s.finishers[0]();
    expect((await answers).map((a) => (a.status === 'fulfilled' ? a.value : 'rejected'))).toEqual([
      10,
      'rejected',
      30,
    ]);
  });

  it('callers arriving while maxInFlight batches run wait, and go in one batch', async () => {
    const s = manualStatement();
    const batcher = new StatementBatcher(s.run, { maxBatch: 10, maxInFlight: 1 });
    const first = batcher.submit(1);
    await turn();
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await turn();
    await turn();
    expect(s.batches).toEqual([[1]]); // the others wait for the running batch
    s.finishers[0]();
    expect(await first).toBe(10);
    await turn();
    await turn();
    expect(s.batches).toEqual([[1], [2, 3, 4]]);
    s.finishers[1]();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('never puts more than maxBatch callers in one statement', async () => {
    const s = manualStatement();
    const batcher = new StatementBatcher(s.run, { maxBatch: 2, maxInFlight: 3 });
    const all = Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    await turn();
    expect(s.batches).toEqual([[1, 2], [3, 4], [5]]);
    s.finishers.forEach((finish) => finish());
    expect(await all).toEqual([10, 20, 30, 40, 50]);
  });

  it('a statement that fails rejects every caller of its batch, and the next batch still runs', async () => {
    let calls = 0;
    const batcher = new StatementBatcher(
      (inputs: number[]) =>
        ++calls === 1 ? Promise.reject(new Error('connection lost')) : Promise.resolve(inputs),
      { maxBatch: 10, maxInFlight: 1 },
    );
    const failed = Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.submit(3)).toBe(3);
  });
});
