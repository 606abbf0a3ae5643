import { JwtService } from '@nestjs/jwt';
import { randomBytes, randomUUID } from 'node:crypto';
import type { UserRole } from '@app/database';
import { createTestContext, factories, type HttpResult, type TestContext } from '@app/testing';

const ROLES: UserRole[] = ['admin', 'front_desk', 'clinician'];
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Every route that needs no token. A new route missing from here must declare @Roles. */
const PUBLIC_OPERATIONS = [
  '/auth/login POST',
  '/health/live GET',
  '/health/ready GET',
  '/metrics GET',
];

interface Operation {
  key: string;
  method: string;
  path: string;
  roles: UserRole[] | undefined;
}

/** The document's path with every {param} replaced by a fresh UUID. */
const concretePath = (path: string) => path.replace(/\{[^}]+\}/g, () => randomUUID());

describe('every route declares who may call it, and the guard enforces it', () => {
  let ctx: TestContext;
  let operations: Operation[];
  const tokens = {} as Record<UserRole, string>;

  beforeAll(async () => {
    ctx = await createTestContext();
    const docs = await ctx.request('GET', '/docs-json');
    expect(docs.status).toBe(200);
    operations = Object.entries<Record<string, any>>(docs.body.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({
        key: `${path} ${m.toUpperCase()}`,
        method: m.toUpperCase(),
        path,
        roles: item[m]['x-roles'],
      })),
    );
    const f = factories(ctx.db);
    const provider = await f.provider({ locationId: (await f.location()).id }, false);
    for (const role of ROLES) {
      tokens[role] = (await ctx.tokenFor(role, role === 'clinician' ? provider.id : null)).token;
    }
  });
  afterAll(() => ctx.close());

  const call = (op: Operation, headers: Record<string, string>): Promise<HttpResult> =>
    ctx.request(op.method, concretePath(op.path), {
      headers,
      // The guard runs before validation, so an empty body reaches it on every route.
      body: WITH_BODY.has(op.method) ? {} : undefined,
    });

  /** '<path> <METHOD> <case>: <status> <content-type> <code>' unless it is the expected problem. */
  const mismatch = (op: Operation, label: string, res: HttpResult, status: number, code: string) =>
    res.status === status &&
    res.headers.get('content-type')?.startsWith('application/problem+json') &&
    res.body?.code === code
      ? []
      : [`${op.key} ${label}: ${res.status} ${res.headers.get('content-type')} ${res.body?.code}`];

  it('has many operations, and those without x-roles are exactly the public ones', () => {
    expect(operations.length).toBeGreaterThan(20);
    const docsRoutes = operations
      .filter((op) => op.method === 'GET' && /^\/docs(\/|-|$)/.test(op.path))
      .map((op) => op.key);
    const unguarded = operations.filter((op) => !op.roles).map((op) => op.key);
    expect(unguarded.sort()).toEqual([...PUBLIC_OPERATIONS, ...docsRoutes].sort());
    const badRoles = operations
      .filter((op) => op.roles && (!op.roles.length || op.roles.some((r) => !ROLES.includes(r))))
      .map((op) => `${op.key}: ${JSON.stringify(op.roles)}`);
    expect(badRoles).toEqual([]);
  });

  it('answers 401 problem+json to a guarded route called without a token or with a bad one', async () => {
    const forged = await new JwtService({ secret: randomBytes(32).toString('hex') }).signAsync({
      sub: randomUUID(),
      role: 'admin',
      pid: null,
    });
    const guarded = operations.filter((op) => op.roles);
    expect(guarded.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const op of guarded) {
      problems.push(...mismatch(op, 'no token', await call(op, {}), 401, 'UNAUTHENTICATED'));
      const malformed = { authorization: 'Bearer not-a-jwt' };
      problems.push(
        ...mismatch(op, 'malformed', await call(op, malformed), 401, 'UNAUTHENTICATED'),
      );
      const signedElsewhere = { authorization: `Bearer ${forged}` };
      problems.push(
        ...mismatch(op, 'forged', await call(op, signedElsewhere), 401, 'UNAUTHENTICATED'),
      );
    }
    expect(problems).toEqual([]);
  });

  it('answers 403 problem+json to every role that x-roles leaves out', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const op of operations.filter((o) => o.roles)) {
      for (const role of ROLES.filter((r) => !op.roles?.includes(r))) {
        const res = await call(op, { authorization: `Bearer ${tokens[role]}` });
        problems.push(...mismatch(op, `as ${role}`, res, 403, 'FORBIDDEN'));
        checked++;
      }
    }
    expect(problems).toEqual([]);
    // Admin-only routes exist, so front desk and clinicians must have been turned away somewhere.
    expect(checked).toBeGreaterThan(10);
  });
});
