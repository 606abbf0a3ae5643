import { DateTime, IANAZone } from 'luxon';

/** True for a real IANA zone name (e.g. America/New_York); fixed offsets are refused. */
export function isValidZone(zone: string): boolean {
  return (
    zone.includes('/') && IANAZone.isValidZone(zone) && DateTime.fromMillis(0, { zone }).isValid
  );
}
