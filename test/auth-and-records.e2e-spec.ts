import { JwtService } from '@nestjs/jwt';
import { createTestContext, factories, type TestContext } from '@app/testing';

describe('auth, access rules and core records over HTTP', () => {
  let ctx: TestContext;
  let admin: string;
  let frontDesk: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    admin = (await ctx.tokenFor('admin')).token;
    frontDesk = (await ctx.tokenFor('front_desk')).token;
  });
  afterAll(() => ctx.close());

  it('answers liveness and readiness without a token', async () => {
    expect((await ctx.request('GET', '/health/live')).status).toBe(200);
    const ready = await ctx.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('refuses a missing, malformed or forged token with 401 problem+json', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: 'Basic abc' },
    ];
    for (const headers of cases) {
      const res = await ctx.request('GET', '/patients', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a token once it has expired, though it was accepted before', async () => {
    const { userId } = await ctx.tokenFor('front_desk');
    const jwt = ctx.app.get(JwtService, { strict: false });
    const token = await jwt.signAsync(
      { sub: userId, role: 'front_desk', pid: null },
      { expiresIn: 2 },
    );
    const { exp } = jwt.decode<{ exp: number }>(token);
    expect((await ctx.request('GET', '/patients', { token })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const late = await ctx.request('GET', '/patients', { token });
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a wrong role with 403', async () => {
    const res = await ctx.request('POST', '/locations', {
      token: frontDesk,
      body: { name: 'X', timezone: 'America/New_York' },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  it('logs in with email and password and uses the token', async () => {
    await ctx.request('POST', '/users', {
      token: admin,
      body: { email: 'desk@clinic.test', password: 'a-long-password-1', role: 'front_desk' },
    });
    const login = await ctx.request('POST', '/auth/login', {
      body: { email: 'DESK@clinic.test', password: 'a-long-password-1' },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe('front_desk');
    const wrong = await ctx.request('POST', '/auth/login', {
      body: { email: 'desk@clinic.test', password: 'wrong-password-1' },
    });
    expect(wrong.status).toBe(401);
    const list = await ctx.request('GET', '/patients', { token: login.body.accessToken });
    expect(list.status).toBe(200);
  });

  describe('POST /patients validation', () => {
    const valid = {
      firstName: 'Jordan',
      lastName: 'Rivera',
      dateOfBirth: '1988-04-12',
      consent: { sms: true, email: false },
    };

    it('creates a patient with a generated MRN', async () => {
      const res = await ctx.request('POST', '/patients', { token: frontDesk, body: valid });
      expect(res.status).toBe(201);
      expect(res.body.mrn).toMatch(/^MRN\d+$/);
    });

    it.each([
      ['an unknown field', { ...valid, ssn: '123' }, 'ssn'],
      ['a bad date', { ...valid, dateOfBirth: '1988-02-30' }, 'dateOfBirth'],
      ['a 10 kB name', { ...valid, firstName: 'a'.repeat(10_000) }, 'firstName'],
      ['a nested bad consent', { ...valid, consent: { sms: 'yes', email: false } }, 'consent.sms'],
    ])('answers 400 naming the field for %s', async (_, body, field) => {
      const res = await ctx.request('POST', '/patients', { token: frontDesk, body });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('VALIDATION');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it.each([
      ['not JSON at all', 'this is not json', 'application/json'],
      ['truncated JSON', '{"firstName": "Jo', 'application/json'],
      ['a non-JSON content type', 'firstName=Jo', 'application/x-www-form-urlencoded'],
    ])('answers 4xx problem+json for %s, never 5xx', async (_, rawBody, type) => {
      const res = await ctx.request('POST', '/patients', {
        token: frontDesk,
        rawBody,
        headers: { 'content-type': type },
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.stack).toBeUndefined();
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expect(
        (
          await ctx.request('GET', '/patients/00000000-0000-4000-8000-000000000000', {
            token: frontDesk,
          })
        ).status,
      ).toBe(404);
      const bad = await ctx.request('GET', '/patients/not-a-uuid', { token: frontDesk });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('id');
    });
  });

  it('writes an audit row when a patient record is read', async () => {
    const created = await ctx.request('POST', '/patients', {
      token: frontDesk,
      body: {
        firstName: 'Ada',
        lastName: 'Audit',
        dateOfBirth: '1970-01-01',
        consent: { sms: false, email: false },
      },
    });
    const read = await ctx.request('GET', `/patients/${created.body.id}`, {
      token: frontDesk,
      headers: { 'x-request-id': 'req-audit-1' },
    });
    expect(read.status).toBe(200);
    const audit = await ctx.request('GET', `/audit?entityId=${created.body.id}`, { token: admin });
    const actions = audit.body.items.map(
      (e: { action: string; requestId: string }) => `${e.action}:${e.requestId}`,
    );
    expect(actions).toContain('read:req-audit-1');
  });

  it('lets a clinician read only their own patients', async () => {
    const f = factories(ctx.db);
    const location = await f.location();
    const mine = await f.provider({ locationId: location.id });
    const other = await f.provider({ locationId: location.id });
    const myPatient = await f.patient();
    const theirPatient = await f.patient();
    await f.carePlan({ patientId: myPatient.id, providerId: mine.id, track: 'medication' });
    await f.carePlan({ patientId: theirPatient.id, providerId: other.id, track: 'medication' });
    const { token } = await ctx.tokenFor('clinician', mine.id);
    expect((await ctx.request('GET', `/patients/${myPatient.id}`, { token })).status).toBe(200);
    expect((await ctx.request('GET', `/patients/${theirPatient.id}`, { token })).status).toBe(403);
    const list = await ctx.request('GET', '/patients?limit=200', { token });
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([myPatient.id]);
  });
});
