import type { INestApplicationContext } from '@nestjs/common';
import { QueueProbeService } from '@app/health';
import { createTestContext, waitFor, type TestContext } from '@app/testing';
import { createWorkerApp } from '../apps/worker/src/bootstrap';

describe('job path API → Redis → worker → Postgres', () => {
  let ctx: TestContext;
  let worker: INestApplicationContext;
  let admin: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    worker = await createWorkerApp(ctx.config);
    admin = (await ctx.tokenFor('admin')).token;
  });
  afterAll(async () => {
    await worker.close();
    await ctx.close();
  });

  it('a probe requested over HTTP is processed by the worker and recorded in Postgres', async () => {
    const created = await ctx.request('POST', '/admin/queue-probes', { token: admin });
    expect(created.status).toBe(201);
    expect(created.body.processedAt).toBeNull();
    const processed = await waitFor(
      async () => {
        const res = await ctx.request('GET', `/admin/queue-probes/${created.body.id}`, {
          token: admin,
        });
        return res.body.processedAt ? res.body : undefined;
      },
      { what: 'the worker to process the probe' },
    );
    expect(processed.processedBy).toMatch(/:\d+$/);
  });

  it('processing the same probe twice changes nothing the second time', async () => {
    const created = await ctx.request('POST', '/admin/queue-probes', { token: admin });
    await waitFor(
      async () =>
        (await ctx.request('GET', `/admin/queue-probes/${created.body.id}`, { token: admin })).body
          .processedAt,
    );
    expect(await worker.get(QueueProbeService).process(created.body.id, 'again')).toBe(false);
    const after = await ctx.request('GET', `/admin/queue-probes/${created.body.id}`, {
      token: admin,
    });
    expect(after.body.processedBy).not.toBe('again');
  });
});
