import { DateTime } from 'luxon';

/** "Now" is injected so tests can pin it; nothing in the product reads the system time directly. */
export interface Clock {
  now(): DateTime;
}

export const systemClock: Clock = { now: () => DateTime.utc() };

/** A clock that stands still (or is moved by hand) — for tests and replays. */
export class FixedClock implements Clock {
  constructor(private current: DateTime) {}
  now(): DateTime {
    return this.current;
  }
  set(to: DateTime): void {
    this.current = to;
  }
  advance(by: { minutes?: number; hours?: number; days?: number; weeks?: number }): void {
    this.current = this.current.plus(by);
  }
}
