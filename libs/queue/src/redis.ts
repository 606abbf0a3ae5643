import { Redis, type RedisOptions } from 'ioredis';

/**
 * Workers need `maxRetriesPerRequest: null` (blocking commands must wait out a Redis
 * restart rather than throw); producers fail fast instead so an HTTP request never hangs.
 */
export function createRedis(url: string, role: 'worker' | 'producer' | 'client'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 3, enableOfflineQueue: role === 'client' };
  return new Redis(url, { lazyConnect: false, connectionName: `clinic-${role}`, ...options });
}
