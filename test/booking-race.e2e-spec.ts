import { AppointmentEntity } from '@app/database';
import { clinic, ny, type Clinic } from './scheduling-fixture';

describe('200 concurrent bookings of one slot', () => {
  let c: Clinic;
  beforeAll(async () => {
    c = await clinic();
  });
  afterAll(() => c.ctx.close());

  it('gives exactly one 201, 199 × 409 SLOT_TAKEN, no 5xx, and one row in the table', async () => {
    const patients = await Promise.all(Array.from({ length: 200 }, () => c.f.patient()));
    const startsAt = ny('2027-02-17T10:00');
    const results = await Promise.all(
      patients.map((p) =>
        c.ctx.request('POST', '/appointments', {
          token: c.frontDesk,
          body: { patientId: p.id, providerId: c.prescriberId, visitType: 'PSYCH_EVAL', startsAt },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    expect(
      results
        .filter((r) => r.status === 409)
        .every((r) => r.body.code === 'SLOT_TAKEN' && r.body.conflict === 'provider'),
    ).toBe(true);
    expect(
      await c.ctx.db.getRepository(AppointmentEntity).countBy({ providerId: c.prescriberId }),
    ).toBe(1);
  });

  it('overlapping (not identical) starts race the same way: never two visits of one provider at once', async () => {
    const patients = await Promise.all(Array.from({ length: 40 }, () => c.f.patient()));
    const starts = ['13:00', '13:15', '13:30', '13:45'].map((t) => ny(`2027-02-18T${t}`));
    const results = await Promise.all(
      patients.map((p, i) =>
        c.ctx.request('POST', '/appointments', {
          token: c.frontDesk,
          body: {
            patientId: p.id,
            providerId: c.prescriberId,
            visitType: 'PSYCH_EVAL',
            startsAt: starts[i % starts.length],
          },
        }),
      ),
    );
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const [{ overlaps }] = await c.ctx.db.query<{ overlaps: number }[]>(
      `SELECT count(*)::int AS overlaps FROM appointments a JOIN appointments b
         ON a.provider_id = b.provider_id AND a.id < b.id AND a.status <> 'cancelled' AND b.status <> 'cancelled'
        AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)`,
    );
    expect(overlaps).toBe(0);
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
  });
});
