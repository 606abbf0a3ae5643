import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, CLOCK, type AppConfig } from '@app/config';
import { DomainError, type Clock } from '@app/domain';
import { REDIS } from '@app/queue';
import { createHash } from 'node:crypto';

/**
 * Fixed one-minute window per client address and per account, kept in Redis so every
 * API instance shares it. The account key is hashed: no email lands in Redis.
 */
@Injectable()
export class LoginLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async hit(ip: string, email: string): Promise<void> {
    const window = Math.floor(this.clock.now().toMillis() / 60_000);
    const account = createHash('sha256')
      .update(email.trim().toLowerCase())
      .digest('hex')
      .slice(0, 32);
    const keys = [
      `${this.config.QUEUE_PREFIX}:login-limit:ip:${ip}:${window}`,
      `${this.config.QUEUE_PREFIX}:login-limit:acct:${account}:${window}`,
    ];
    const counts = await Promise.all(
      keys.map(async (key) => {
        const [[, count]] = (await this.redis.multi().incr(key).expire(key, 120).exec()) as [
          [null, number],
          unknown,
        ];
        return count;
      }),
    );
    if (counts.some((count) => count > this.config.LOGIN_RATE_LIMIT_PER_MINUTE)) {
      throw new DomainError('RATE_LIMITED', 'Too many login attempts; wait a minute and try again');
    }
  }
}
