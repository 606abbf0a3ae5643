import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/**
 * The whole configuration surface of both apps. Every variable is named here and
 * nowhere else; `loadConfig` is the only reader of process.env.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    DATABASE_URL: url(['postgres:', 'postgresql:']),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
    /**
     * API processes sharing the port (node:cluster): one per core the API may use. Each
     * has its own pool of DATABASE_POOL_SIZE connections.
     */
    API_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
    REDIS_URL: url(['redis:', 'rediss:']),
    /** Prefix of every BullMQ key; tests give each file its own. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]+$/i, 'letters, digits, - and _ only')
      .default('clinic'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    JWT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(86_400)
      .default(8 * 3600),
    BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
    BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
    TRUST_PROXY: bool.default(false),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(50),
    /** Where messages go: `log` records them in the messages table (development default). */
    EMAIL_TRANSPORT: z.enum(['log', 'smtp']).default('log'),
    SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    EMAIL_FROM: z.string().min(3).default('Clinic <no-reply@clinic.example>'),
    SMS_TRANSPORT: z.enum(['log', 'http']).default('log'),
    /** Twilio-compatible REST base, e.g. https://api.twilio.com/2010-04-01 */
    SMS_GATEWAY_URL: url(['http:', 'https:']).optional(),
    SMS_ACCOUNT_SID: z.string().min(1).optional(),
    SMS_AUTH_TOKEN: z.string().min(1).optional(),
    SMS_FROM: z.string().min(3).optional(),
    REMINDER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    REMINDER_BACKOFF_MS: z.coerce.number().int().min(10).default(30_000),
    /** A claim older than this without an outcome is looked at again by the reconciler. */
    REMINDER_LEASE_SECONDS: z.coerce.number().int().min(1).default(120),
    RECONCILE_EVERY_SECONDS: z.coerce.number().int().min(1).default(30),
    /** How long a worker's claim on a job lasts; a killed worker's jobs run again after about this long. */
    WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
    /** How often the worker scans care plans for overdue follow-ups (SPEC §2: every 15 minutes). */
    FOLLOW_UP_SCAN_EVERY_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  })
  .superRefine((env, ctx) => {
    const need = (name: keyof typeof env, because: string) => {
      if (!env[name])
        ctx.addIssue({ code: 'custom', path: [name], message: `needed when ${because}` });
    };
    if (env.EMAIL_TRANSPORT === 'smtp') need('SMTP_URL', 'EMAIL_TRANSPORT=smtp');
    if (env.SMS_TRANSPORT === 'http') {
      for (const name of [
        'SMS_GATEWAY_URL',
        'SMS_ACCOUNT_SID',
        'SMS_AUTH_TOKEN',
        'SMS_FROM',
      ] as const)
        need(name, 'SMS_TRANSPORT=http');
    }
  });

export type AppConfig = z.infer<typeof envSchema>;
