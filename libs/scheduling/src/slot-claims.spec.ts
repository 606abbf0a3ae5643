import fc from 'fast-check';
import { SlotClaims, type SlotRequest } from './slot-claims';

const turn = () => new Promise((resolve) => setImmediate(resolve));

class Taken extends Error {}
const claimsOfTest = () => new SlotClaims((error) => error instanceof Taken);

type Ending = 'booked' | 'failed' | 'taken';
const end = (ending: Ending): string => {
  if (ending === 'taken') throw new Taken('taken');
  if (ending === 'failed') throw new Error('refused');
  return 'booked';
};

/** A booking the test finishes by hand: it books, fails, or finds the time taken. */
function manualBooking() {
  let finish!: (ending: Ending) => void;
  let started = false;
  const run = () => {
    started = true;
    return new Promise<Ending>((resolve) => (finish = resolve)).then(end);
  };
  return { run, finish: (ending: Ending) => finish(ending), started: () => started };
}

const at = (providerId: string, start: number, end: number, key?: string): SlotRequest => ({
  providerId,
  start,
  end,
  key,
});

describe('SlotClaims', () => {
  it('a request overlapping one in flight waits, and is refused without running once that one books', async () => {
    const claims = claimsOfTest();
    const first = manualBooking();
    const second = manualBooking();
    const a = claims.run(at('p', 0, 30), first.run);
    const b = claims.run(at('p', 15, 45), second.run);
    await turn();
    expect(first.started()).toBe(true);
    expect(second.started()).toBe(false);
    first.finish('booked');
    expect(await a).toBe('booked');
    expect(await b).toBe('taken');
    expect(second.started()).toBe(false);
  });

  it('when the one ahead fails for a reason of its own, those waiting all go ahead', async () => {
    const claims = claimsOfTest();
    const [first, second, third] = [manualBooking(), manualBooking(), manualBooking()];
    const a = claims.run(at('p', 0, 30), first.run);
    const b = claims.run(at('p', 0, 30), second.run);
    const c = claims.run(at('p', 0, 30), third.run);
    await turn();
    first.finish('failed');
    await expect(a).rejects.toThrow('refused');
    await turn();
    expect([second.started(), third.started()]).toEqual([true, true]);
    second.finish('booked');
    third.finish('taken');
    expect(await b).toBe('booked');
    await expect(c).rejects.toThrow(Taken);
  });

  it('when the one ahead finds the time taken, those waiting are refused without running', async () => {
    const claims = claimsOfTest();
    const [first, second] = [manualBooking(), manualBooking()];
    const a = claims.run(at('p', 0, 30), first.run);
    const b = claims.run(at('p', 10, 20), second.run);
    await turn();
    first.finish('taken');
    await expect(a).rejects.toThrow(Taken);
    expect(await b).toBe('taken');
    expect(second.started()).toBe(false);
  });

  it('adjacent times and other providers do not wait', async () => {
    const claims = claimsOfTest();
    const bookings = [manualBooking(), manualBooking(), manualBooking()];
    const runs = [at('p', 0, 30), at('p', 30, 60), at('q', 0, 30)].map((r, i) =>
      claims.run(r, bookings[i].run),
    );
    await turn();
    expect(bookings.map((b) => b.started())).toEqual([true, true, true]);
    bookings.forEach((b) => b.finish('booked'));
    expect(await Promise.all(runs)).toEqual(['booked', 'booked', 'booked']);
  });

  it('a twin under the same Idempotency-Key runs after its twin books, to answer as it did', async () => {
    const claims = claimsOfTest();
    const [first, twin, stranger] = [manualBooking(), manualBooking(), manualBooking()];
    const a = claims.run(at('p', 0, 30, 'u k'), first.run);
    const b = claims.run(at('p', 0, 30, 'u k'), twin.run);
    const c = claims.run(at('p', 0, 30, 'u other'), stranger.run);
    await turn();
    expect(twin.started()).toBe(false);
    first.finish('booked');
    expect(await a).toBe('booked');
    await turn();
    expect(twin.started()).toBe(true);
    twin.finish('booked');
    expect(await b).toBe('booked');
    expect(await c).toBe('taken');
    expect(stranger.started()).toBe(false);
  });

  it('runs every request it does not refuse once, and refuses only after an overlapping one booked or found the time taken', async () => {
    const request = fc.record({
      provider: fc.constantFrom('p', 'q'),
      start: fc.integer({ min: 0, max: 8 }),
      length: fc.integer({ min: 1, max: 4 }),
      key: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }),
      turns: fc.integer({ min: 0, max: 3 }),
      ending: fc.constantFrom<Ending>('booked', 'failed', 'taken'),
      arrivesAfter: fc.integer({ min: 0, max: 2 }),
    });
    const overlaps = (x: SlotRequest, y: SlotRequest) =>
      x.providerId === y.providerId && x.start < y.end && y.start < x.end;
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 12 }), async (requests) => {
        const claims = claimsOfTest();
        // Counts answers given: a refusal must come from a booking answered after it asked.
        let answers = 0;
        const done = await Promise.all(
          requests.map(async (r) => {
            for (let i = 0; i < r.arrivesAfter; i++) await turn();
            const slot = at(r.provider, r.start, r.start + r.length, r.key);
            const asked = answers;
            let ran = 0;
            const outcome = await claims
              .run(slot, async () => {
                ran++;
                for (let i = 0; i < r.turns; i++) await turn();
                return end(r.ending);
              })
              .catch((error: unknown) => (error instanceof Taken ? 'threw taken' : 'failed'));
            return { slot, asked, answered: ++answers, outcome, ran };
          }),
        );
        for (const d of done) {
          expect(d.ran).toBe(d.outcome === 'taken' ? 0 : 1);
          if (d.outcome !== 'taken') continue;
          const cause = done.filter(
            (w) =>
              (w.outcome === 'booked' || w.outcome === 'threw taken') &&
              overlaps(w.slot, d.slot) &&
              w.answered > d.asked,
          );
          expect(cause.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
