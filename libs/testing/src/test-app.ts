import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JwtService } from '@nestjs/jwt';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '@app/config';
import { UserEntity, type UserRole } from '@app/database';
import { type FixedClock } from '@app/domain';
import { createApiApp } from '../../../apps/api/src/bootstrap';
import { createTestDatabase, type TestDatabase } from './test-database';
import { testServers } from './test-env';

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Everything a test file needs: its own database, queue prefix, a listening API and a clock. */
export interface TestContext {
  app: NestFastifyApplication;
  config: AppConfig;
  db: DataSource;
  database: TestDatabase;
  clock: FixedClock | undefined;
  baseUrl: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResult<T>>;
  tokenFor(role: UserRole, providerId?: string | null): Promise<{ token: string; userId: string }>;
  close(): Promise<void>;
}

export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  const { redisUrl } = testServers();
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    ...overrides,
  });
}

/** Deletes every Redis key under this file's prefix (its queues and counters). */
export async function clearPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function createTestContext(
  options: { clock?: FixedClock; env?: Record<string, string> } = {},
): Promise<TestContext> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, options.env);
  const app = await createApiApp(config, options.clock);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const db = app.get<DataSource>(getDataSourceToken());

  const request = async <T>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<HttpResult<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  };

  const tokenFor = async (role: UserRole, providerId: string | null = null) => {
    const user = await db.getRepository(UserEntity).save({
      email: `${role}-${randomBytes(4).toString('hex')}@clinic.test`,
      passwordHash: 'scrypt$unused',
      role,
      providerId: role === 'clinician' ? providerId : null,
    });
    const token = await app
      .get(JwtService, { strict: false })
      .signAsync({ sub: user.id, role, pid: user.providerId });
    return { token, userId: user.id };
  };

  return {
    app,
    config,
    db,
    database,
    clock: options.clock,
    baseUrl,
    request,
    tokenFor,
    async close() {
      await app.close();
      await clearPrefix(config.REDIS_URL, config.QUEUE_PREFIX);
      await database.drop();
    },
  };
}
