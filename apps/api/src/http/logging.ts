import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/**
 * Structured request logs. URLs are logged without their query string (a patient
 * search puts a name there) and bodies are never logged.
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    // nestjs-pino's default route pattern does not match under Fastify 5 / Nest 12.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.LOG_LEVEL,
      redact: { paths: redactPaths(), censor: '[redacted]' },
      genReqId: (req: IncomingMessage) => String(req.headers['x-request-id'] ?? ''),
      customProps: () => ({ app: 'api' }),
      autoLogging: {
        ignore: (req: IncomingMessage) => req.url === '/health/live' || req.url === '/metrics',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: ServerResponse & { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      ...(config.NODE_ENV === 'development' && config.LOG_LEVEL !== 'silent'
        ? { transport: { target: 'pino-pretty', options: { singleLine: true, colorize: true } } }
        : {}),
    },
  };
}
