/** A booking asked of this process: one provider's calendar over [start, end) in epoch ms. */
export interface SlotRequest {
  providerId: string;
  start: number;
  end: number;
  /** The caller's Idempotency-Key with its user, when it sent one. */
  key?: string;
}

/** How a booking in flight ended: it booked, it found the provider's time taken, or it failed for a reason of its own. */
type Outcome = 'booked' | 'taken' | 'failed';

interface Claim extends SlotRequest {
  outcome: Promise<Outcome>;
}

/**
 * The bookings in flight in this process, by provider. A request for a time that
 * overlaps one of them waits for it. When that one books, or finds the time taken, the
 * request is refused at once (`run` returns 'taken') without reading or writing
 * anything: the provider's exclusion constraint would refuse it anyway. The 499 losers
 * of a 500-way race then cost an HTTP answer each instead of a booking attempt each (a
 * context read, the rules, reminders planned, an insert that finds the slot gone and a
 * query to say by whom).
 *
 * When the one ahead failed for a reason of its own (its patient's cadence, say), the
 * requests that waited for it all go ahead together, as they would have without it: a
 * request waits at most once, so a run of failures is never served one at a time.
 *
 * The database still decides: two API processes, or a visit booked another way, race
 * in the constraints as before. The same request sent twice under one Idempotency-Key
 * is not refused but runs after its twin, so that it gets the stored answer.
 */
export class SlotClaims {
  private readonly byProvider = new Map<string, Claim[]>();

  /** `isTaken` tells the error of a booking that found the provider's time taken. */
  constructor(private readonly isTaken: (error: unknown) => boolean) {}

  async run<T>(request: SlotRequest, book: () => Promise<T>): Promise<T | 'taken'> {
    const ahead = this.overlapping(request);
    if (ahead) {
      const outcome = await ahead.outcome;
      const twin = request.key !== undefined && request.key === ahead.key;
      if (outcome === 'taken' || (outcome === 'booked' && !twin)) return 'taken';
    }
    let settle!: (outcome: Outcome) => void;
    const claim: Claim = { ...request, outcome: new Promise((resolve) => (settle = resolve)) };
    const claims = this.byProvider.get(request.providerId) ?? [];
    claims.push(claim);
    this.byProvider.set(request.providerId, claims);
    let outcome: Outcome = 'failed';
    try {
      const result = await book();
      outcome = 'booked';
      return result;
    } catch (error) {
      if (this.isTaken(error)) outcome = 'taken';
      throw error;
    } finally {
      // Withdrawn before its waiters wake, so that a later request does not wait for it.
      this.withdraw(claim);
      settle(outcome);
    }
  }

  private overlapping(request: SlotRequest): Claim | undefined {
    return this.byProvider
      .get(request.providerId)
      ?.find((c) => c.start < request.end && request.start < c.end);
  }

  private withdraw(claim: Claim): void {
    const claims = this.byProvider.get(claim.providerId)!;
    claims.splice(claims.indexOf(claim), 1);
    if (claims.length === 0) this.byProvider.delete(claim.providerId);
  }
}
