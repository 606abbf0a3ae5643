import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { ApiClient } from './api-client';
import { freePort, startApp, waitReady, type AppProcess } from './apps';
import { freshDatabase, migrate } from './database';

export const QUEUE_PREFIX = 'clinic-bench';
const ADMIN_EMAIL = 'bench-admin@clinic.test';
const FRONT_DESK_EMAIL = 'bench-frontdesk@clinic.test';

export interface Servers {
  root: string;
  databaseUrl: string;
  redisUrl: string;
  port: number;
  /** Extra node flags per app (--cpu-prof when profiling). */
  nodeArgs: (app: 'api' | 'worker') => string[];
  /** Extra settings for both apps (--quick shortens the reconciliation interval). */
  env: Record<string, string>;
}

/**
 * One dataset's world: a fresh clinic_bench_<plans> database migrated by the production
 * CLI, the production API on its own port, an admin (bootstrap variables) and a front-desk
 * user, and the worker on demand. Nothing here is shared with `npm run dev` or the tests.
 */
export class Session {
  readonly apps: AppProcess[] = [];
  private workerApp?: Promise<AppProcess>;
  admin!: ApiClient;
  frontDesk!: ApiClient;
  operations = new Set<string>();

  private constructor(
    private readonly servers: Servers,
    readonly databaseUrl: string,
    readonly apiUrl: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly password: string,
  ) {}

  static async open(servers: Servers, database: string): Promise<Session> {
    const databaseUrl = await freshDatabase(servers.databaseUrl, database);
    await migrate(servers.root, databaseUrl, servers.redisUrl);
    const port = await freePort(servers.port);
    const password = randomBytes(12).toString('hex');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: servers.redisUrl,
      QUEUE_PREFIX,
      JWT_SECRET: randomBytes(32).toString('hex'),
      BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      BOOTSTRAP_ADMIN_PASSWORD: password,
      // The harness logs in a few times; the limiter is not what is measured.
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      ...servers.env,
    };
    const session = new Session(servers, databaseUrl, `http://127.0.0.1:${port}`, env, password);
    const api = startApp(servers.root, 'api', env, servers.nodeArgs('api'));
    session.apps.push(api);
    await waitReady(api, `${session.apiUrl}/health/ready`);
    const anonymous = new ApiClient(session.apiUrl);
    session.admin = await anonymous.login(ADMIN_EMAIL, password);
    await session.admin.expect(201, 'POST', '/users', {
      email: FRONT_DESK_EMAIL,
      password,
      role: 'front_desk',
    });
    session.frontDesk = await anonymous.login(FRONT_DESK_EMAIL, password);
    session.operations = await anonymous.operations();
    return session;
  }

  db = async (): Promise<Client> => {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'bench' });
    await client.connect();
    // The fixtures' one-off planning queries gain nothing from JIT compilation (~0.4 s each).
    await client.query('SET jit = off');
    return client;
  };

  /** The production worker, started once; ready when it has processed a queue probe. */
  worker = (): Promise<AppProcess> =>
    (this.workerApp ??= (async () => {
      const worker = startApp(
        this.servers.root,
        'worker',
        this.env,
        this.servers.nodeArgs('worker'),
      );
      this.apps.push(worker);
      if (!this.operations.has('POST /admin/queue-probes')) return worker;
      const probe = await this.admin.expect(201, 'POST', '/admin/queue-probes');
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const seen = await this.admin.expect(200, 'GET', `/admin/queue-probes/${probe.id}`);
        if (seen.processedAt) return worker;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`the worker did not process a queue probe within 60 s:\n${worker.tail()}`);
    })());

  /** A new user of that role (a clinician is linked to `providerId`), logged in. */
  userFor = async (role: 'front_desk' | 'clinician', providerId?: string): Promise<ApiClient> => {
    const email = `bench-${role.replace('_', '-')}-${randomBytes(4).toString('hex')}@clinic.test`;
    await this.admin.expect(201, 'POST', '/users', {
      email,
      password: this.password,
      role,
      ...(providerId ? { providerId } : {}),
    });
    return new ApiClient(this.apiUrl).login(email, this.password);
  };

  /** SIGKILLs the worker; the next worker() call starts a new one. */
  killWorker = async (): Promise<void> => {
    const worker = await this.workerApp;
    this.workerApp = undefined;
    await worker?.kill();
  };

  get redisUrl(): string {
    return this.servers.redisUrl;
  }

  async close(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop()));
  }
}

/** Removes every Redis key under the bench prefix (jobs and login counters of earlier runs). */
export async function clearQueuePrefix(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let removed = 0;
  try {
    for await (const keys of redis.scanStream({ match: `${QUEUE_PREFIX}:*`, count: 1000 })) {
      const batch = keys as string[];
      if (batch.length) removed += await redis.del(...batch);
    }
  } finally {
    redis.disconnect();
  }
  return removed;
}
