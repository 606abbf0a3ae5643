import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '@app/queue';

export interface Readiness {
  status: 'ok' | 'unavailable';
  /** 'ok', or 'down: <reason>' */
  checks: { postgres: string; redis: string };
}

const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Both dependencies answer within 2 s; failures are named without leaking connection strings. */
  async readiness(): Promise<Readiness> {
    const [postgres, redis] = await Promise.all([
      within(2000, this.db.query('SELECT 1')).then(
        () => 'ok' as const,
        (e: Error) => `down: ${e.message.split('\n')[0]}`,
      ),
      within(2000, this.redis.ping()).then(
        () => 'ok' as const,
        (e: Error) => `down: ${e.message.split('\n')[0]}`,
      ),
    ]);
    return {
      status: postgres === 'ok' && redis === 'ok' ? 'ok' : 'unavailable',
      checks: { postgres, redis },
    };
  }
}
