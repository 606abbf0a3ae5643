import type { FastifyInstance } from 'fastify';
import type { Params } from 'nestjs-pino';
import { pino, type Logger } from 'pino';
import type { AppConfig } from '@app/config';

/** Field names that carry PHI or secrets, wherever they appear in a log object. */
export const REDACTED_FIELDS = [
  'firstName',
  'lastName',
  'dateOfBirth',
  'phone',
  'email',
  'password',
  'name',
  'search',
  'accessToken',
];

export function redactPaths(): string[] {
  return [
    'req.headers.authorization',
    'req.headers.cookie',
    ...REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  ];
}

/** The API's one pino logger: Nest's own lines (through nestjs-pino) and the request lines. */
export function createLogger(config: AppConfig): Logger {
  return pino({
    level: config.LOG_LEVEL,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    ...(config.NODE_ENV === 'development' && config.LOG_LEVEL !== 'silent'
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, colorize: true } } }
      : {}),
  });
}

/**
 * nestjs-pino routes Nest's logger to `logger` and mounts no middleware: its pino-http
 * middleware ran through middie and an AsyncLocalStorage scope and built a child logger
 * for every request, even when the level dropped the line. logRequests writes the lines.
 */
export function loggerOptions(logger: Logger): Params {
  return { forRoutes: [], pinoHttp: { logger } };
}

/** Probes and scrapes that would drown the log. */
const UNLOGGED = new Set(['/health/live', '/metrics']);

/**
 * One line per finished request, written only when the level keeps it. URLs are logged
 * without their query string (a patient search puts a name there) and bodies never.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const failed = reply.statusCode >= 500;
    if (!logger.isLevelEnabled(failed ? 'error' : 'info')) return;
    const path = request.url.split('?')[0];
    if (UNLOGGED.has(path)) return;
    const line = {
      req: { id: request.id, method: request.method, path },
      app: 'api',
      res: { statusCode: reply.statusCode },
      responseTime: Math.round(reply.elapsedTime),
    };
    if (failed) logger.error(line, 'request errored');
    else logger.info(line, 'request completed');
  });
}
