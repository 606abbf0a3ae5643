import type { ReminderChannel } from './reminder-policy';

/** What the sender knows about a locked reminder row when it decides (columns as selected). */
export interface DeliveryFacts {
  status: string;
  channel: ReminderChannel;
  planned_for: Date;
  send_at: Date;
  visit_status: string;
  starts_at: Date;
  phone: string | null;
  email: string | null;
  consent_sms: boolean;
  consent_email: boolean;
}

/**
 * `send`: it goes out now. A string: leave the row as it is (another worker has it, it
 * was settled already, or its job fired too soon). An object: settle the row that way
 * and send nothing.
 */
export type DeliveryDecision =
  'send' | 'not_pending' | 'early' | { status: 'cancelled' | 'skipped'; reason: string };

/** A job may fire a moment before its row is due (clocks of Redis and app differ slightly). */
export const EARLY_TOLERANCE_MS = 2_000;

const ACTIVE_VISIT = ['scheduled', 'confirmed'];

/**
 * The rules a reminder must pass at the moment of sending (SPEC §2): still pending, due,
 * the visit still active at the time it was planned for and not yet started, and the
 * patient still consenting and reachable on the channel. `row` is undefined when the row
 * is gone or locked by another delivery.
 */
export function decideDelivery(row: DeliveryFacts | undefined, nowMs: number): DeliveryDecision {
  if (!row || row.status !== 'pending') return 'not_pending';
  if (row.send_at.getTime() - nowMs > EARLY_TOLERANCE_MS) return 'early';
  if (!ACTIVE_VISIT.includes(row.visit_status))
    return { status: 'cancelled', reason: 'visit_not_active' };
  if (row.starts_at.getTime() !== row.planned_for.getTime())
    return { status: 'cancelled', reason: 'visit_moved' };
  if (nowMs >= row.starts_at.getTime()) return { status: 'skipped', reason: 'expired' };
  if (!(row.channel === 'sms' ? row.consent_sms : row.consent_email))
    return { status: 'skipped', reason: 'no_consent' };
  if (!recipientOf(row)) return { status: 'skipped', reason: 'no_contact' };
  return 'send';
}

/** The phone number or address the reminder goes to on its channel. */
export function recipientOf(
  row: Pick<DeliveryFacts, 'channel' | 'phone' | 'email'>,
): string | null {
  return row.channel === 'sms' ? row.phone : row.email;
}
