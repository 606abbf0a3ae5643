import { DateTime } from 'luxon';
import { FixedClock } from '@app/domain';
import { createTestContext, factories, type TestContext } from '@app/testing';

export const ZONE = 'America/New_York';
/** Monday 2027-02-15 09:00 in New York. */
export const NOW = DateTime.fromISO('2027-02-15T09:00:00', { zone: ZONE });

/** A local New York time as the API wants it: ISO with offset. */
export const ny = (local: string): string => DateTime.fromISO(local, { zone: ZONE }).toISO()!;

export interface Clinic {
  ctx: TestContext;
  clock: FixedClock;
  f: ReturnType<typeof factories>;
  locationId: string;
  prescriberId: string;
  therapistId: string;
  admin: string;
  frontDesk: string;
  prescriberToken: string;
}

/** A clinic in New York with one prescriber and one therapist working Mon–Fri 09:00–17:00. */
export async function clinic(clockAt: DateTime = NOW): Promise<Clinic> {
  const clock = new FixedClock(clockAt.toUTC());
  const ctx = await createTestContext({ clock });
  const f = factories(ctx.db);
  const location = await f.location({ timezone: ZONE });
  const prescriber = await f.provider({
    locationId: location.id,
    roles: ['prescriber'],
    name: 'Dr Prescriber',
  });
  const therapist = await f.provider({
    locationId: location.id,
    roles: ['therapist'],
    name: 'Therapist',
  });
  return {
    ctx,
    clock,
    f,
    locationId: location.id,
    prescriberId: prescriber.id,
    therapistId: therapist.id,
    admin: (await ctx.tokenFor('admin')).token,
    frontDesk: (await ctx.tokenFor('front_desk')).token,
    prescriberToken: (await ctx.tokenFor('clinician', prescriber.id)).token,
  };
}
