import { DateTime } from 'luxon';
import { ianaZone, type Modality } from '@app/domain';

export interface MessageFacts {
  kind: 'confirmation' | 'reminder';
  firstName: string;
  startsAt: Date;
  /** The zone the patient reads times in: theirs, else the location's. */
  zone: string;
  modality: Modality;
  locationName: string;
  address: string | null;
  clinicPhone: string | null;
}

export interface RenderedMessage {
  subject: string;
  body: string;
}

/**
 * What the patient reads. It names the first name, the local date and time, and where
 * to go (or that it is a video visit) — never the visit type, the provider's specialty
 * or anything that discloses mental-health care.
 */
export function renderMessage(facts: MessageFacts): RenderedMessage {
  const local = DateTime.fromJSDate(facts.startsAt, { zone: ianaZone(facts.zone) }).setLocale(
    'en-US',
  );
  const when = `${local.toFormat('cccc, LLLL d')} at ${local.toFormat('h:mm a')} (${local.offsetNameShort ?? local.toFormat('ZZ')})`;
  const where =
    facts.modality === 'telehealth'
      ? 'by video; the link will be sent before the visit'
      : `at ${facts.locationName}${facts.address ? `, ${facts.address}` : ''}`;
  const contact = facts.clinicPhone ? ` To reschedule, call ${facts.clinicPhone}.` : '';
  const lead =
    facts.kind === 'confirmation' ? 'your appointment is booked' : 'a reminder of your appointment';
  return {
    subject: facts.kind === 'confirmation' ? 'Your appointment is booked' : 'Appointment reminder',
    body: `Hi ${facts.firstName}, ${lead} on ${when}, ${where}.${contact}`,
  };
}
