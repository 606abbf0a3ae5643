// Redocly's 1.x line: 2.x is ESM-only, which jest (CommonJS through swc) cannot load untransformed.
import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { createTestContext, type TestContext } from '@app/testing';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
const PROBLEM_REF = '#/components/schemas/ProblemDto';
/**
 * Probes that take no input and answer only 200 (or 503 when a dependency is down): a 4xx
 * documented on them would be untrue, so they are the one exception to "every operation
 * documents its problem responses".
 */
const NO_CLIENT_ERRORS = ['/health/live GET', '/health/ready GET', '/metrics GET'];

interface Operation {
  key: string;
  roles: string[] | undefined;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  security: Record<string, string[]>[] | undefined;
}

function operationsOf(document: any): Operation[] {
  return Object.entries<Record<string, any>>(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      key: `${path} ${method.toUpperCase()}`,
      roles: item[method]['x-roles'],
      responses: item[method].responses ?? {},
      security: item[method].security,
    })),
  );
}

function describeProblem(problem: NormalizedProblem): string {
  const where = problem.location.map((l) => l.pointer ?? '').join(', ');
  return `[${problem.severity}] ${problem.ruleId} at ${where}: ${problem.message}`;
}

describe('the OpenAPI document (/docs-json)', () => {
  let ctx: TestContext;
  let document: any;
  let operations: Operation[];

  beforeAll(async () => {
    ctx = await createTestContext();
    const res = await ctx.request('GET', '/docs-json');
    expect(res.status).toBe(200);
    document = res.body;
    operations = operationsOf(document);
  });
  afterAll(() => ctx.close());

  it('passes the Redocly recommended ruleset without errors', async () => {
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: 'docs-json.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    const errors = problems.filter((p) => p.severity === 'error').map(describeProblem);
    expect(errors).toEqual([]);
  });

  it('documents a ProblemDto 4xx response on every operation that takes input', () => {
    expect(operations.length).toBeGreaterThan(20);
    expect(document.components.schemas.ProblemDto.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']),
    );
    const without = operations
      .filter(
        (op) =>
          !Object.entries(op.responses).some(
            ([status, response]) =>
              /^4(\d\d|XX)$/.test(status) &&
              Object.values(response.content ?? {}).some((c) => c.schema?.$ref === PROBLEM_REF),
          ),
      )
      .map((op) => op.key)
      .filter((key) => !NO_CLIENT_ERRORS.includes(key));
    expect(without).toEqual([]);
  });

  it('requires bearer auth on every role-guarded operation and on no public one', () => {
    const schemes = document.components?.securitySchemes ?? {};
    const bearerNames = Object.keys(schemes).filter(
      (name) => schemes[name].type === 'http' && schemes[name].scheme === 'bearer',
    );
    expect(bearerNames.length).toBeGreaterThan(0);
    const usesBearer = (op: Operation) =>
      (op.security ?? document.security ?? []).some((requirement: Record<string, string[]>) =>
        Object.keys(requirement).some((name) => bearerNames.includes(name)),
      );
    const guarded = operations.filter((op) => op.roles);
    expect(guarded.length).toBeGreaterThan(20);
    expect(guarded.filter((op) => !usesBearer(op)).map((op) => op.key)).toEqual([]);
    expect(operations.filter((op) => !op.roles && usesBearer(op)).map((op) => op.key)).toEqual([]);
  });
});
