import { decideDelivery, type DeliveryFacts } from './delivery-decision';

const now = Date.parse('2026-03-02T15:00:00Z');
const startsAt = new Date('2026-03-02T17:00:00Z');

/** An email reminder that may go out now. */
const due = (overrides: Partial<DeliveryFacts> = {}): DeliveryFacts => ({
  status: 'pending',
  channel: 'email',
  planned_for: startsAt,
  send_at: new Date(now),
  visit_status: 'scheduled',
  starts_at: startsAt,
  phone: '+15550100000',
  email: 'ana@example.com',
  consent_sms: true,
  consent_email: true,
  ...overrides,
});

describe('decideDelivery', () => {
  it('sends a pending reminder that is due, for an active visit at its planned time', () => {
    expect(decideDelivery(due(), now)).toBe('send');
    expect(decideDelivery(due({ visit_status: 'confirmed' }), now)).toBe('send');
    // A job that fires a moment early (clock skew) still sends.
    expect(decideDelivery(due({ send_at: new Date(now + 1_500) }), now)).toBe('send');
  });

  it('leaves rows alone that are not pending or not yet due', () => {
    for (const status of ['sending', 'sent', 'failed', 'cancelled', 'skipped'])
      expect(decideDelivery(due({ status }), now)).toBe('not_pending');
    expect(decideDelivery(due({ send_at: new Date(now + 60_000) }), now)).toBe('early');
  });

  it('cancels reminders of visits that are no longer active or were moved', () => {
    expect(decideDelivery(due({ visit_status: 'cancelled' }), now)).toEqual({
      status: 'cancelled',
      reason: 'visit_not_active',
    });
    expect(decideDelivery(due({ planned_for: new Date('2026-03-02T16:00:00Z') }), now)).toEqual({
      status: 'cancelled',
      reason: 'visit_moved',
    });
  });

  it('skips reminders that are too late, unconsented or unreachable', () => {
    expect(decideDelivery(due(), startsAt.getTime())).toEqual({
      status: 'skipped',
      reason: 'expired',
    });
    expect(decideDelivery(due({ consent_email: false }), now)).toEqual({
      status: 'skipped',
      reason: 'no_consent',
    });
    expect(decideDelivery(due({ channel: 'sms', consent_sms: false }), now)).toEqual({
      status: 'skipped',
      reason: 'no_consent',
    });
    expect(decideDelivery(due({ channel: 'sms', phone: null }), now)).toEqual({
      status: 'skipped',
      reason: 'no_contact',
    });
  });
});
